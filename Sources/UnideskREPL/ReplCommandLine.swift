import UnideskCore

/// A `:command` line of the REPL. Parsing only; the session carries it out.
public enum ReplCommandLine: Equatable {
    case help
    case quit
    case modules
    /// `:mode` alone shows the mode (nil); with a word, switches to it.
    case mode(String?)
    case reset
    /// The last value shown shortened, in full.
    case more
    case unknown(String)

    /// The command on a (trimmed) input line; nil when the line is Lua (`::label::` is Lua).
    public static func parse(_ line: String) -> ReplCommandLine? {
        guard line.hasPrefix(":"), let second = line.dropFirst().first, second.isLetter || second == "?" else { return nil }
        let words = line.dropFirst().split(whereSeparator: \.isWhitespace).map(String.init)
        let name = words.first ?? ""
        switch name {
        case "help", "h", "?": return .help
        case "quit", "q", "exit": return .quit
        case "modules": return .modules
        case "mode": return .mode(words.dropFirst().first)
        case "reset": return .reset
        case "more": return .more
        default: return .unknown(name)
        }
    }

    /// The mode a `:mode` word names; nil for an unknown word.
    public static func mode(named word: String) -> RunMode? {
        switch word {
        case "run": return .run
        case "plan": return .plan(offline: false)
        case "plan-offline", "offline": return .plan(offline: true)
        default: return nil
        }
    }

    /// How the REPL names a mode (the inverse of `mode(named:)`).
    public static func name(of mode: RunMode) -> String {
        if case .plan(let offline) = mode { return offline ? "plan-offline" : "plan" }
        return "run"
    }
}
