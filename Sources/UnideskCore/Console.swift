import CSystem
import Foundation

/// The human log on stderr: one line per step, effect and log message. Colour and a live
/// spinner on a terminal only; plain, stable lines otherwise (CI).
public final class Console: @unchecked Sendable {
    public enum Level: String, Sendable { case info, warn, error }

    let fancy: Bool
    let redactor: Redactor
    private let lock = NSLock()
    private var activeSteps: [(name: String, started: Double)] = []
    private var spinnerShown = false
    private var spinnerThread: Thread?
    private var stopped = false
    private var progressText: String?

    public init(color: Bool, redactor: Redactor) {
        let term = ProcessEnvironment.value("TERM") ?? ""
        fancy = color && isatty(2) == 1 && term != "dumb"
        self.redactor = redactor
        if fancy { startSpinner() }
    }

    deinit { stop() }

    public func stop() {
        lock.lock()
        stopped = true
        clearSpinnerLocked()
        lock.unlock()
    }

    // MARK: events

    /// `attempt`: which run of a step unidesk.pipeline may retry ("deploy (attempt 2 of 3)").
    public func stepStarted(_ name: String, attempt: (number: Int, of: Int)? = nil) {
        let name = Self.sanitize(name) + Self.attemptSuffix(attempt)
        lock.lock(); defer { lock.unlock() }
        activeSteps.append((name, now()))
        if !fancy { emitLocked("[step] \(indent)\(name)") }
    }

    /// `retried`: the attempt failed and the step runs again (`[retry]`, not `[FAIL]`).
    public func stepFinished(_ name: String, ok: Bool, durationMs: Double, error: String?,
                             attempt: (number: Int, of: Int)? = nil, retried: Bool = false) {
        let name = Self.sanitize(name) + Self.attemptSuffix(attempt), error = error.map { Self.sanitize($0) }
        lock.lock(); defer { lock.unlock() }
        let indent = self.indent   // the step's own depth, before it leaves the stack
        if !activeSteps.isEmpty { activeSteps.removeLast() }
        let d = Self.duration(durationMs)
        if fancy {
            let mark = ok ? paint("✓", 32) : retried ? paint("↻", 33) : paint("✗", 31)
            let tail = error.map { "  " + paint($0, retried ? 33 : 31) } ?? ""
            emitLocked("\(mark) \(indent)\(name) \(paint(d, 2))\(tail)")
        } else {
            emitLocked("[\(ok ? "ok" : retried ? "retry" : "FAIL")] \(indent)\(name) (\(d))\(error.map { ": \($0)" } ?? "")")
        }
        // A finished step is a point a CI reader waits for: not held back by the buffer.
        Self.flush()
    }

    /// A step that did not run (unidesk.pipeline after a failure), at the depth it would have had.
    public func stepSkipped(_ name: String, reason: String, depth: Int) {
        let name = Self.sanitize(name), reason = Self.sanitize(reason)
        lock.lock(); defer { lock.unlock() }
        let indent = String(repeating: "  ", count: depth)
        if fancy {
            emitLocked("\(paint("-", 2)) \(indent)\(name) \(paint("skipped: " + reason, 2))")
        } else {
            emitLocked("[skip] \(indent)\(name): \(reason)")
        }
    }

    private static func attemptSuffix(_ attempt: (number: Int, of: Int)?) -> String {
        guard let attempt, attempt.of > 1 else { return "" }
        return " (attempt \(attempt.number) of \(attempt.of))"
    }

    public func log(_ level: Level, _ message: String) {
        let message = Self.sanitize(message)
        lock.lock(); defer { lock.unlock() }
        if fancy {
            let tag: String
            switch level {
            case .info: tag = paint("info", 36)
            case .warn: tag = paint("warn", 33)
            case .error: tag = paint("error", 31)
            }
            emitLocked("\(indent)\(tag) \(message)")
        } else {
            emitLocked("[\(level.rawValue)] \(indent)\(message)")
        }
    }

    func effect(_ r: AuditRecord) {
        guard r.effect != .pure else { return }
        let label: String
        switch r.outcome {
        case .planned: label = "plan"
        case .denied: label = "denied"
        case .error: label = "error"
        case .drift: label = "drift"
        case .ok: label = r.effect == .write ? "write" : "read"
        }
        if (r.effect == .read || r.effect == .localRead) && r.outcome == .ok && !fancy {
            // Reads are many and harmless: keep CI logs to what changes the world.
            return
        }
        lock.lock(); defer { lock.unlock() }
        // Appended piece by piece into one string: a bulk load prints this line for every
        // statement, and interpolating its parts into new strings was half its cost.
        var text = ""
        text.reserveCapacity(r.capability.utf8.count + 48)
        text += Self.sanitize(r.capability)
        // A planned call shows its verdict as the plan at the end will ("(change: spec.replicas)").
        if r.outcome == .planned, let verdict = PlanSummary.verdictNote(r) {
            text += " ("; text += Self.sanitize(verdict); text += ")"
        }
        // A batch says its size once ("(10000 rows, 35ms)"): one line for the whole batch.
        let timed = r.outcome == .ok || r.outcome == .error
        if timed || r.batch != nil {
            text += " ("
            if let batch = r.batch { text += batch.text; if timed { text += ", " } }
            if timed { text += Self.duration(r.durationMs) }
            text += ")"
        }
        if let message = r.message { text += ": "; text += message }
        if fancy {
            let color = r.outcome == .denied || r.outcome == .error || r.outcome == .drift ? 31 : (r.outcome == .planned ? 35 : 2)
            emitLocked("\(indent)  \(paint(label, color)) \(text)")
        } else {
            var line = "["
            line.reserveCapacity(text.utf8.count + 16)
            line += label; line += "] "; line += indent; line += text
            emitLocked(line)
        }
    }

    /// Free text (the final summary, the plan, errors).
    /// A live progress note ("restore data: 412 MiB of 1.0 GiB, 380 MiB/s, 2 s left") on
    /// the spinner line of a terminal; nothing in plain output (CI logs stay quiet).
    public var showsProgress: Bool { fancy }

    public func progress(_ text: String?) {
        guard fancy else { return }
        lock.lock(); defer { lock.unlock() }
        progressText = text.map { Self.sanitize($0) }
    }

    public func line(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        emitLocked(text)
    }

    public func paintIfFancy(_ s: String, _ code: Int) -> String { fancy ? paint(s, code) : s }

    // MARK: output

    private var indent: String { activeSteps.count < 2 ? "" : String(repeating: "  ", count: activeSteps.count - 1) }

    private func emitLocked(_ text: String) {
        clearSpinnerLocked()
        var line = redactor.scrub(text)
        line += "\n"
        Self.writeFD(2, line)
    }

    private func paint(_ s: String, _ code: Int) -> String { "\u{1B}[\(code)m\(s)\u{1B}[0m" }

    private func clearSpinnerLocked() {
        if spinnerShown { Self.writeFD(2, "\r\u{1B}[2K"); spinnerShown = false }
    }

    private func startSpinner() {
        let t = Thread { [weak self] in
            let frames = Array("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
            var i = 0
            while let s = self {
                s.lock.lock()
                if s.stopped { s.lock.unlock(); return }
                if let step = s.activeSteps.last {
                    let secs = String(format: "%.1fs", s.now() - step.started)
                    let note = s.progressText.map { "  " + s.redactor.scrub($0) } ?? ""
                    Self.writeFD(2, "\r\u{1B}[2K\(frames[i % frames.count]) \(s.redactor.scrub(step.name)) \u{1B}[2m\(secs)\(note)\u{1B}[0m")
                    s.spinnerShown = true
                } else if let note = s.progressText {
                    Self.writeFD(2, "\r\u{1B}[2K\(frames[i % frames.count]) \u{1B}[2m\(s.redactor.scrub(note))\u{1B}[0m")
                    s.spinnerShown = true
                }
                s.lock.unlock()
                i += 1
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        t.stackSize = 1 << 18
        t.start()
        spinnerThread = t
    }

    private func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Text that came from a script cannot drive the terminal or forge log lines: control
    /// characters are shown escaped, and continuation lines are indented.
    static func sanitize(_ text: String) -> String {
        // Nearly every line has nothing to escape: a byte scan decides, and the text is
        // returned as it is (this runs for every effect line of a bulk load).
        guard needsSanitizing(text) else { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for u in text.unicodeScalars {
            switch u.value {
            case 0x0A: out += "\n    "
            case 0x09: out.unicodeScalars.append(u)
            case 0x00..<0x20, 0x7F, 0x80..<0xA0:
                out += "\\x" + String(u.value, radix: 16).leftPadded(to: 2)
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// Whether `sanitize` would change `text`: a newline, a control character other than
    /// tab, DEL, or a C1 control (U+0080–U+009F, UTF-8 0xC2 0x80–0x9F).
    static func needsSanitizing(_ text: String) -> Bool {
        // Over the contiguous bytes of a native string: iterating `utf8` itself cost some
        // 35 instructions a byte.
        text.utf8.withContiguousStorageIfAvailable { needsSanitizing($0) } ?? needsSanitizing(Array(text.utf8))
    }

    private static func needsSanitizing<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        var afterC2 = false
        for b in bytes {
            if b < 0x20 && b != 0x09 || b == 0x7F || afterC2 && b >= 0x80 && b < 0xA0 { return true }
            afterC2 = b == 0xC2
        }
        return false
    }

    /// "12ms", "3.71s". Without String(format:): it showed up in profiles of bulk loads,
    /// which print one line per effect.
    static func duration(_ ms: Double) -> String {
        guard ms.isFinite, ms >= 0 else { return "?" }
        if ms < 1000 { return "\(Int(ms.rounded()))ms" }
        let centis = Int((ms / 10).rounded())
        let frac = centis % 100
        return "\(centis / 100).\(frac < 10 ? "0" : "")\(frac)s"
    }

    /// Writes all bytes to a file descriptor (Glibc's `stderr` is not concurrency-safe):
    /// through the shared buffer when `bufferNonTerminalOutput` made it buffered.
    public static func writeFD(_ fd: Int32, bytes: [UInt8]) {
        bytes.withUnsafeBytes { ud_out_write(fd, $0.baseAddress, $0.count) }
    }

    public static func writeFD(_ fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { ud_out_write(fd, $0.baseAddress, $0.count) }
    }

    /// stdout and stderr, where they are not a terminal (CI logs, files, pipes), are written
    /// through one buffer from now on: a write syscall per line was most of a bulk load's
    /// console cost. What CI needs stays: the order of both as written, lines within 100 ms
    /// (a timer), at once at each step's end and before a sleep, and everything at exit,
    /// including the hard stop and the Lua panic (console_out.c). A terminal is unbuffered.
    public static func bufferNonTerminalOutput() {
        _ = ud_out_buffer(1)
        _ = ud_out_buffer(2)
    }

    /// Writes what the buffer holds now.
    public static func flush() { ud_out_flush() }
}

private extension String {
    func leftPadded(to n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
