import UnideskCore

/// A `:command` line of the REPL. Parsing only; the session carries it out.
public enum ReplCommandLine: Equatable {
    /// `:help` alone is the REPL's help; with a name, that primitive's or module's reference.
    case help(String?)
    case quit
    case modules
    /// `:mode` alone shows the mode (nil); with a word, switches to it. `:plan` and `:run`
    /// are `:mode plan` and `:mode run`.
    case mode(String?)
    case reset
    /// `:load FILE`: runs a recipe file in the session (its globals stay).
    case load(String?)
    /// `:reload`: loads the recipe's modules (require'd from --dir) again.
    case reload
    /// `:grants`: the policy in force.
    case grants
    /// `:allow CAPABILITY`: grants it for the rest of the session.
    case allow(String?)
    /// The last value shown shortened, in full.
    case more
    case unknown(String)

    /// The commands with a one-line summary, in the order :help lists them. The names are
    /// what TAB completes after a leading colon.
    public static let summaries: [(name: String, usage: String, summary: String)] = [
        ("help", ":help [NAME]", "this text, or the reference of a primitive or module (:help kube.apply)"),
        ("modules", ":modules", "the unidesk.* modules that require can load"),
        ("grants", ":grants", "the policy in force: what is allowed and denied, exposed variables"),
        ("allow", ":allow CAPABILITY", "grant a capability for the rest of the session (:allow 'kube.apply:dev/*')"),
        ("load", ":load FILE", "run a recipe file in this session; its globals stay"),
        ("reload", ":reload", "load the recipe's modules (require'd from --dir) again"),
        ("more", ":more", "the last value shown shortened (…), in full"),
        ("mode", ":mode [run|plan|plan-offline]", "show the mode, or start a fresh session in another one"),
        ("plan", ":plan", "the same as :mode plan"),
        ("run", ":run", "the same as :mode run"),
        ("reset", ":reset", "start a fresh session (clears globals)"),
        ("quit", ":quit", "leave (or Ctrl-D on an empty line)"),
    ]

    /// Every command name, aliases included.
    public static var names: [String] { summaries.map(\.name) + ["h", "q", "exit"] }

    /// The command on a (trimmed) input line; nil when the line is Lua (`::label::` is Lua).
    public static func parse(_ line: String) -> ReplCommandLine? {
        guard line.hasPrefix(":"), let second = line.dropFirst().first, second.isLetter || second == "?" else { return nil }
        let body = line.dropFirst()
        let name = String(body.prefix(while: { !$0.isWhitespace }))
        let rest = body.dropFirst(name.count).trimmingWhitespace()
        let argument = rest.isEmpty ? nil : Self.unquoted(rest)
        switch name {
        case "help", "h", "?": return .help(argument)
        case "quit", "q", "exit": return .quit
        case "modules": return .modules
        case "mode": return .mode(argument)
        case "plan": return .mode("plan")
        case "run": return .mode("run")
        case "reset": return .reset
        case "load": return .load(argument)
        case "reload": return .reload
        case "grants": return .grants
        case "allow": return .allow(argument)
        case "more": return .more
        default: return .unknown(name)
        }
    }

    /// An argument as typed, without one pair of surrounding quotes (`:allow 'kube.*'`).
    static func unquoted(_ s: String) -> String {
        if s.count >= 2, let f = s.first, f == "'" || f == "\"", s.last == f { return String(s.dropFirst().dropLast()) }
        return s
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

extension Substring {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
