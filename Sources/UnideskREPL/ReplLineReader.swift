@preconcurrency import CEdit
import Foundation
import UnideskCore

/// What one read of the REPL's input gave.
enum ReplInput {
    case line(String)
    /// Ctrl-C at the prompt: drop the pending input.
    case interrupted
    /// Ctrl-D on an empty line, or the end of piped input.
    case eof
}

/// Where REPL lines come from: libedit on a terminal, plain lines otherwise.
protocol ReplLineReader: AnyObject {
    func read(prompt: String) -> ReplInput
    /// Records an input line in the history (terminal only).
    func remember(_ line: String)
}

/// Plain lines: from a pipe or file (no prompt), or from a terminal without libedit (with
/// the prompt, so the user sees where to type). No editing, no history.
final class ReplPipeReader: ReplLineReader {
    private let showsPrompt: Bool

    init(showsPrompt: Bool = false) { self.showsPrompt = showsPrompt }

    func read(prompt: String) -> ReplInput {
        if showsPrompt { Console.writeFD(1, prompt) }
        guard let line = Swift.readLine(strippingNewline: true) else { return .eof }
        return .line(line)
    }

    func remember(_ line: String) {}
}

// MARK: - libedit

/// The pipe that wakes the getc hook on Ctrl-C (see ReplInterrupts).
nonisolated(unsafe) private var editPromptInterruptFD: Int32 = -1
/// `replSigintCount` when the current line started.
nonisolated(unsafe) private var editSigintBaseline: Int32 = 0
/// Set by the getc hook when it ended the line because of Ctrl-C.
nonisolated(unsafe) private var editInterrupted = false

/// Reads one character for libedit: waits on the terminal and on the Ctrl-C pipe, and
/// decodes UTF-8 itself (libedit's readline layer takes the hook's result as one wide
/// character). Returns -1 at end of input or on Ctrl-C, which makes readline() return NULL.
private func editGetc(_: UnsafeMutablePointer<FILE>?) -> Int32 {
    func readByte() -> Int32 {
        var b: UInt8 = 0
        while true {
            let n = Glibc.read(0, &b, 1)
            if n == 1 { return Int32(b) }
            if n < 0 && errno == EINTR { continue }
            return -1
        }
    }
    while true {
        // Checked before the terminal is read: keys typed after Ctrl-C belong to the next line.
        if replSigintCount != editSigintBaseline {
            editInterrupted = true
            return -1
        }
        var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: editPromptInterruptFD, events: Int16(POLLIN), revents: 0)]
        let n = poll(&fds, editPromptInterruptFD >= 0 ? 2 : 1, -1)
        if n < 0 {
            if errno == EINTR { continue }
            return -1
        }
        if editPromptInterruptFD >= 0 && fds[1].revents & Int16(POLLIN) != 0 {
            var buf = [UInt8](repeating: 0, count: 64)
            while Glibc.read(editPromptInterruptFD, &buf, buf.count) > 0 {}   // non-blocking: drain
            continue
        }
        if replSigintCount != editSigintBaseline { continue }
        guard fds[0].revents != 0 else { continue }
        let first = readByte()
        guard first >= 0x80 else { return first }
        let extra = first >= 0xF0 ? 3 : first >= 0xE0 ? 2 : first >= 0xC0 ? 1 : 0
        guard extra > 0 else { return 0xFFFD }
        var bytes = [UInt8(first)]
        for _ in 0..<extra {
            let b = readByte()
            guard b >= 0 else { return -1 }
            bytes.append(UInt8(b))
        }
        guard let s = String(validating: bytes, as: UTF8.self), let c = s.unicodeScalars.first else { return 0xFFFD }
        return Int32(c.value)
    }
}

private let editGetcHook: @convention(c) (UnsafeMutablePointer<FILE>?) -> Int32 = { editGetc($0) }

/// What TAB completes from (set by ReplEditReader; libedit's hook is a C function).
nonisolated(unsafe) private var editCompleter: ReplCompleter?

/// libedit's completion hook: the completer's answer as a malloc'd readline match list.
private let editCompleteHook: ud_edit_complete_fn = { line, start, end in
    guard let line, let completer = editCompleter else { return nil }
    let scalars = Array(String(cString: line).unicodeScalars)
    let before = Array(scalars[..<max(0, min(Int(end), scalars.count))])
    let completion = completer.complete(String(String.UnicodeScalarView(before)))
    guard let matches = completion.readlineMatches(line: before, wordStart: Int(start)) else { return nil }
    // NULL-terminated, and at least three entries: libedit reads list[2] to tell one match.
    guard let out = calloc(max(3, matches.count + 1), MemoryLayout<UnsafeMutablePointer<CChar>?>.stride)?
        .assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self) else { return nil }
    for (i, m) in matches.enumerated() { out[i] = strdup(m) }
    return out
}

/// Why the terminal gets no line editing (libedit could not be loaded).
struct EditUnavailable: Error {
    let reason: String
}

/// Line editing and history with libedit's readline API.
final class ReplEditReader: ReplLineReader {
    static let historyLimit: Int32 = 1000
    let historyPath: String?
    private var last: String?

    /// Loads libedit (on first use: CEdit) and sets it up; throws why when it cannot.
    /// `completer`: what TAB completes (nil: TAB inserts a tab).
    init(historyPath: String?, interrupts: ReplInterrupts, completer: ReplCompleter? = nil) throws(EditUnavailable) {
        self.historyPath = historyPath
        editPromptInterruptFD = interrupts.promptRead
        editCompleter = completer
        // libedit catches SIGINT, SIGTSTP, SIGCONT, SIGWINCH… while it edits: it restores the
        // terminal, then re-raises the signal to the previous handler (ours for SIGINT, see
        // ReplInterrupts), and after Ctrl-Z / fg it returns to raw mode and redraws.
        // The name lives for the process.
        if let why = ud_edit_setup(UnsafePointer(strdup("unidesk")), editGetcHook, completer == nil ? nil : editCompleteHook) {
            throw EditUnavailable(reason: String(cString: why))
        }
        using_history()
        stifle_history(Self.historyLimit)
        if let historyPath, FileManager.default.fileExists(atPath: historyPath) {
            _ = read_history(historyPath)
        }
    }

    func read(prompt: String) -> ReplInput {
        editInterrupted = false
        editSigintBaseline = replSigintCount
        guard let p = readline(prompt) else {
            return editInterrupted ? .interrupted : .eof
        }
        defer { free(p) }
        return .line(String(cString: p))
    }

    func remember(_ line: String) {
        guard !line.allSatisfy(\.isWhitespace), line != last else { return }
        last = line
        add_history(line)
        guard let historyPath else { return }
        if write_history(historyPath) == 0 {
            _ = history_truncate_file(historyPath, Self.historyLimit)
            _ = chmod(historyPath, 0o600)
        }
    }

    /// $XDG_STATE_HOME/unidesk/repl_history, or ~/.local/state/unidesk/repl_history; the
    /// directory is created (private). nil when it cannot be.
    static func defaultHistoryPath() -> String? {
        let env = ProcessInfo.processInfo.environment
        let dir: String
        if let x = env["XDG_STATE_HOME"], !x.isEmpty {
            dir = x + "/unidesk"
        } else if let home = env["HOME"], !home.isEmpty {
            dir = home + "/.local/state/unidesk"
        } else {
            return nil
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            return nil
        }
        return dir + "/repl_history"
    }
}
