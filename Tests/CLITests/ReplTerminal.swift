import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `unidesk` (by default `unidesk repl`) on a real pseudo-terminal: the child's stdin, stdout
/// and stderr are the pty's slave, which is its controlling terminal in a session of its own,
/// so isatty(0) holds, libedit edits, and Ctrl-C (byte 3) reaches it as SIGINT from the
/// terminal driver. History and home are private (a temporary HOME and XDG_STATE_HOME).
///
///     let t = try ReplTerminal.start()
///     try t.waitForPrompt()
///     t.send("1+1"); t.send(key: .enter)
///     try t.waitForPrompt()   // returns "1+1\n2\n> "
///     t.send(key: .ctrlD)
///     #expect(try t.wait() == 0)
///
/// Waiting is always for an expected output, bounded by a timeout; a timeout throws an
/// error holding the whole transcript. Not thread-safe: one test drives one terminal.
final class ReplTerminal {
    enum Key: String {
        case tab = "\t", enter = "\r", backspace = "\u{7F}", escape = "\u{1B}"
        case up = "\u{1B}[A", down = "\u{1B}[B", right = "\u{1B}[C", left = "\u{1B}[D"
        case ctrlA = "\u{01}", ctrlC = "\u{03}", ctrlD = "\u{04}", ctrlE = "\u{05}"
        case ctrlK = "\u{0B}", ctrlL = "\u{0C}", ctrlR = "\u{12}", ctrlU = "\u{15}", ctrlW = "\u{17}"
    }

    struct Timeout: Error, CustomStringConvertible {
        let description: String
    }

    let pid: pid_t
    let columns: Int
    let rows: Int
    /// HOME of the child; XDG_STATE_HOME is `home/state` (the history is
    /// `home/state/unidesk/repl_history`).
    let home: URL
    private let ownsHome: Bool
    private var master: Int32
    private var raw: [UInt8] = []
    /// How much of `output` earlier waitFor calls consumed.
    private var consumed = 0
    private var exitStatus: Int32?
    /// The slave side is closed (the child and everything it started are gone).
    private var hungUp = false

    var historyPath: String { home.appendingPathComponent("state/unidesk/repl_history").path }

    /// Starts `unidesk arguments…` (the binary: Unidesk.binary(), i.e. $UNIDESK_BIN or the one
    /// built next to the tests) on a new pseudo-terminal of `columns`×`rows`.
    /// `environment` is added to the test's own (minus UNIDESK_STATE_DIR), after TERM,
    /// NO_COLOR=1, HOME and XDG_STATE_HOME; `home`: reuse a directory (e.g. to share history
    /// between two sessions; it is not removed), else a fresh one removed by close().
    /// `executable`: another program to start instead (it gets `arguments` as they are),
    /// e.g. a wrapper that changes the child's view of the system first.
    static func start(arguments: [String] = ["repl"], environment extra: [String: String] = [:],
                      directory: URL? = nil, home: URL? = nil, term: String = "xterm-256color",
                      columns: Int = 100, rows: Int = 30, executable: URL? = nil) throws -> ReplTerminal {
        let binary = try executable ?? Unidesk.binary()
        let ownsHome = home == nil
        let home = try home ?? TempDir(prefix: "unidesk-pty").url
        try FileManager.default.createDirectory(at: home.appendingPathComponent("state"), withIntermediateDirectories: true)

        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "UNIDESK_STATE_DIR")
        env["TERM"] = term
        env["NO_COLOR"] = "1"
        env["HOME"] = home.path
        env["XDG_STATE_HOME"] = home.appendingPathComponent("state").path
        for (k, v) in extra { env[k] = v }

        let (master, slavePath) = try openPseudoTerminal()
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // After setsid (glibc runs it before the file actions) the first terminal the session
        // leader opens without O_NOCTTY becomes its controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        if let directory {
            guard let addchdir = Self.addchdir else {
                Glibc.close(master)
                throw Timeout(description: "posix_spawn_file_actions_addchdir_np is missing: cannot start in \(directory.path)")
            }
            _ = addchdir(&actions, directory.path)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        let setsid: Int32 = 0x80   // POSIX_SPAWN_SETSID (glibc ≥ 2.26; a GNU extension Swift does not import)
        posix_spawnattr_setflags(&attributes, Int16(setsid | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = [binary.path] + arguments
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, binary.path, &actions, &attributes, cArgs, cEnv)
        guard rc == 0 else {
            Glibc.close(master)
            throw Timeout(description: "cannot start \(binary.path): \(String(cString: strerror(rc)))")
        }
        return ReplTerminal(pid: child, master: master, columns: columns, rows: rows, home: home, ownsHome: ownsHome)
    }

    /// The master side (close-on-exec) and the slave's path. The Glibc module does not import
    /// the XSI pty functions: they come from the C library by name.
    private static func openPseudoTerminal() throws -> (Int32, String) {
        typealias OpenPT = @convention(c) (Int32) -> Int32
        typealias PTOp = @convention(c) (Int32) -> Int32
        typealias PTSName = @convention(c) (Int32, UnsafeMutablePointer<CChar>, Int) -> Int32
        func function<T>(_ name: String, _: T.Type) throws -> T {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
                throw Timeout(description: "the C library has no \(name)")
            }
            return unsafeBitCast(symbol, to: T.self)
        }
        let master = try function("posix_openpt", OpenPT.self)(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw Timeout(description: "posix_openpt: \(String(cString: strerror(errno)))") }
        var name = [CChar](repeating: 0, count: 256)
        guard try function("grantpt", PTOp.self)(master) == 0, try function("unlockpt", PTOp.self)(master) == 0,
              try function("ptsname_r", PTSName.self)(master, &name, name.count) == 0 else {
            let why = String(cString: strerror(errno))
            Glibc.close(master)
            throw Timeout(description: "cannot set up the pseudo-terminal: \(why)")
        }
        return (master, String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addchdir: AddChdir? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    private init(pid: pid_t, master: Int32, columns: Int, rows: Int, home: URL, ownsHome: Bool) {
        self.pid = pid
        self.master = master
        self.columns = columns
        self.rows = rows
        self.home = home
        self.ownsHome = ownsHome
    }

    deinit { close() }

    // MARK: input

    /// Types `text` (UTF-8) as it is; "\r" is Enter.
    func send(_ text: String) {
        drain()
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count, master >= 0 {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(master, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
        }
    }

    func send(key: Key) { send(key.rawValue) }

    // MARK: output

    /// Everything the child wrote, as bytes.
    var transcript: [UInt8] { raw }

    /// The output as text: escape sequences removed, "\r\n" as "\n", other carriage returns
    /// and backspaces dropped (what was written, not what the screen shows; see `screen`).
    var output: String { Self.plain(String(decoding: raw, as: UTF8.self)) }

    /// What the terminal shows now.
    var screen: TerminalScreen { TerminalScreen(columns: columns, rows: rows, output: String(decoding: raw, as: UTF8.self)) }
    var screenText: String { screen.text }

    /// Reads output until `text` appears in `output` after what earlier waitFor calls consumed;
    /// returns the output from there up to and including `text`, and consumes it.
    @discardableResult
    func waitFor(_ text: String, timeout: Double = 10) throws -> String {
        var found: Range<String.Index>?
        try waitUntil("output \(Self.quoted(text))", timeout: timeout) { t in
            let all = t.output
            let start = all.index(all.startIndex, offsetBy: min(t.consumed, all.count))
            found = all.range(of: text, range: start..<all.endIndex)
            return found != nil
        }
        let all = output
        let start = all.index(all.startIndex, offsetBy: min(consumed, all.count))
        consumed = all.distance(from: all.startIndex, to: found!.upperBound)
        return String(all[start..<found!.upperBound])
    }

    /// Waits for `prompt` (as waitFor) and then until libedit has put the terminal into raw
    /// mode: libedit prints the prompt first and switches the mode after, and keys sent in
    /// between are echoed by the terminal driver and read by the editor again (typed twice on
    /// the screen), a Ctrl-D among them is lost. Use it before typing at a prompt. Only for a
    /// session with line editing (a terminal left in canonical mode times out here).
    @discardableResult
    func waitForPrompt(_ prompt: String = "> ", timeout: Double = 10) throws -> String {
        let seen = try waitFor(prompt, timeout: timeout)
        try waitUntil("the line editor to switch the terminal to raw mode", timeout: timeout) { $0.lineEditing }
        return seen
    }

    /// The terminal is in non-canonical mode (libedit is reading keys), not line by line.
    var lineEditing: Bool {
        var attributes = termios()
        // On Linux the master side reports the slave's settings.
        guard master >= 0, tcgetattr(master, &attributes) == 0 else { return false }
        return attributes.c_lflag & tcflag_t(ICANON) == 0
    }

    /// Reads output until the line the cursor is on reads `line` (trailing blanks ignored):
    /// what the user sees after an edit (libedit redraws the line in place).
    func waitForCursorLine(_ line: String, timeout: Double = 10) throws {
        var expected = line
        while expected.last == " " { expected.removeLast() }
        try waitUntil("the cursor's line to read \(Self.quoted(line))", timeout: timeout) { $0.screen.cursorLine == expected }
    }

    /// Reads output until `condition` holds (checked at once, then after each read). Throws,
    /// with `what` and the whole transcript, when it does not within `timeout` seconds or the
    /// terminal closed first.
    func waitUntil(_ what: String, timeout: Double = 10, _ condition: (ReplTerminal) -> Bool) throws {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        while !condition(self) {
            let now = DispatchTime.now().uptimeNanoseconds
            if hungUp || now >= deadline {
                throw Timeout(description: """
                    \(hungUp ? "the terminal closed" : "timed out after \(timeout)s") waiting for \(what)
                    --- screen ---
                    \(screenText)
                    --- output (escaped) ---
                    \(Self.quoted(String(decoding: raw, as: UTF8.self)))
                    """)
            }
            // Some conditions change without output (the terminal's mode): look again at
            // least every 10 ms.
            readOnce(timeoutMilliseconds: Int32(min(10, Double(deadline - now) / 1e6)) + 1)
        }
    }

    /// Reads what is available without waiting.
    private func drain() {
        while readOnce(timeoutMilliseconds: 0) {}
    }

    /// Waits up to `timeoutMilliseconds` for output and appends it; false when none came.
    @discardableResult
    private func readOnce(timeoutMilliseconds: Int32) -> Bool {
        guard master >= 0, !hungUp else { return false }
        var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0)]
        let ready = poll(&fds, 1, timeoutMilliseconds)
        guard ready > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = Glibc.read(master, &buffer, buffer.count)
        if n > 0 {
            raw += buffer[0..<n]
            return true
        }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return false }
        hungUp = true   // EIO: no process has the slave open any more
        return false
    }

    // MARK: end

    /// Waits until the child exits (reading its output meanwhile); its exit code, or 128 +
    /// the signal that ended it. Throws with the transcript when it still runs after `timeout`.
    @discardableResult
    func wait(timeout: Double = 10) throws -> Int32 {
        if let exitStatus { return exitStatus }
        try waitUntil("the process to exit", timeout: timeout) { t in
            if t.reap(blocking: false) { return true }
            // Once the terminal hung up the child has closed it: it exits momentarily. Block
            // in waitpid (bounded by the process itself, which holds no terminal any more).
            if t.hungUp { return t.reap(blocking: true) }
            return false
        }
        return exitStatus!
    }

    /// Kills the child (by its PID) if it still runs, reaps it, closes the terminal and removes
    /// the private home. Safe to call more than once.
    func close() {
        if exitStatus == nil {
            Glibc.kill(pid, SIGKILL)
            _ = reap(blocking: true)
        }
        if master >= 0 {
            Glibc.close(master)
            master = -1
        }
        if ownsHome { try? FileManager.default.removeItem(at: home) }
    }

    private func reap(blocking: Bool) -> Bool {
        if exitStatus != nil { return true }
        var status: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(pid, &status, blocking ? 0 : WNOHANG) } while r < 0 && errno == EINTR
        guard r == pid else { return false }
        let signal = status & 0x7F
        exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        return true
    }

    // MARK: text

    static func plain(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        let s = Array(text.unicodeScalars)
        var i = 0
        while i < s.count {
            let c = s[i]
            i += 1
            switch c {
            case "\u{1B}":
                guard i < s.count else { break }
                if s[i] == "[" {
                    i += 1
                    while i < s.count, (0x20...0x3F).contains(s[i].value) { i += 1 }
                    i += 1
                } else if s[i] == "]" {
                    while i < s.count, s[i] != "\u{07}", s[i] != "\u{1B}" { i += 1 }
                    i += s.count > i && s[i] == "\u{1B}" ? 2 : 1
                } else if "()*+#".unicodeScalars.contains(s[i]) {
                    i += 2
                } else {
                    i += 1
                }
            case "\r", "\u{08}", "\u{07}":
                continue
            default:
                out.append(c)
            }
        }
        return String(out)
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if c.value < 0x20 || c.value == 0x7F { out += "\\u{\(String(c.value, radix: 16))}" } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}
