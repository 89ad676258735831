import Foundation
import LuaRuntime
import UnideskCore

/// How the REPL words an input's error, as `unidesk run` does (`error: message`, then the
/// user's frames indented) with two differences that help at a prompt: a structured error
/// reads `kind: message` (the kind is what a `pcall` handler tests), and when the input had
/// several lines, the one that failed is quoted (`at line 2: conn:exec("…")`). Pure.
enum ReplErrorText {
    /// The chunk name inputs run under, as Lua writes it in messages ("repl:3:").
    static let chunk = "repl"
    /// Kinds whose message says it all, as `unidesk run` shows them: unidesk.fail's and
    /// unidesk.test's summary of failed tests.
    static let quietKinds: Set<String> = ["fail", "tests_failed"]
    /// A quoted input line longer than this is cut.
    static let maxQuoted = 100

    /// The message (what follows `error: `) and the lines under it, unindented.
    static func render(_ e: LuaError, input: [String]) -> (message: String, details: [String]) {
        let frames = e.traceback.map { userFrames($0) } ?? []
        // The input's own line that failed: its main chunk's frame (the error may have been
        // raised further in, by a function an earlier input defined).
        let line = frames.lazy.compactMap { mainChunkLine($0) }.first

        var message = e.message
        if let kind = e.kind, !kind.isEmpty, !quietKinds.contains(kind), case .table = e.value, !message.hasPrefix(kind + ":") {
            message = kind + ": " + message
        }
        if let loc = e.location, !message.hasPrefix(loc) {
            // Raised by the input itself: the location is the line quoted below, or obvious.
            if loc != "\(chunk):\(line ?? 0)" || line == nil { message = loc + ": " + message }
        }

        var details: [String] = []
        if let line, input.count > 1, line >= 1, line <= input.count {
            details.append("at line \(line)" + quoted(input[line - 1]))
        }
        if frames.contains(where: { $0 != "stack traceback:" }) { details += frames }
        return (message, details)
    }

    /// `: <text>` for an input line, trimmed and cut; nothing for a line that creates a
    /// secret (as history leaves it out) or is blank.
    static func quoted(_ line: String) -> String {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, !ReplHistory.mentionsSecret(text) else { return "" }
        return ": " + (text.count > maxQuoted ? text.prefix(maxQuoted - 1) + "…" : text)
    }

    /// The frames a run would show (Traceback.userFrames), trimmed, blank lines dropped.
    static func userFrames(_ traceback: String) -> [String] {
        Traceback.userFrames(traceback).split(separator: "\n", omittingEmptySubsequences: true)
            .map { String($0).trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// N for a frame "repl:N: in main chunk".
    static func mainChunkLine(_ frame: String) -> Int? {
        let prefix = chunk + ":", suffix = ": in main chunk"
        guard frame.hasPrefix(prefix), frame.hasSuffix(suffix) else { return nil }
        return Int(frame.dropFirst(prefix.count).dropLast(suffix.count))
    }
}
