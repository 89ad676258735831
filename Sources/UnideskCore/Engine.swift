import Foundation
import LuaRuntime
import UnideskData
import UnideskFiles

/// Runs recipes: builds a fresh sandboxed session, arms the limits, runs, classifies the
/// outcome into an exit code, and writes the reports.
public final class Engine {
    public let options: EngineOptions
    public let libraries: [HostLibrary]
    public let redactor = Redactor()
    public let console: Console

    public init(options: EngineOptions, libraries: [HostLibrary]) {
        self.options = options
        self.libraries = libraries
        console = Console(color: options.color, redactor: redactor)
        Console.bufferNonTerminalOutput()
    }

    /// Runs (or plans) one recipe file. Never throws: every failure becomes an exit code,
    /// a message on stderr, and the report.
    /// Runs a recipe. `epilogue` (Lua) runs after it in the same state when it succeeded:
    /// `unidesk test` uses it to turn failed tests into the run's failure.
    public func run(recipePath: String, epilogue: String? = nil) -> RunReport {
        let started = Date()
        let t0 = DispatchTime.now().uptimeNanoseconds
        var report = RunReport(recipe: recipePath, mode: options.mode, exitCode: .ok, startedAt: started,
                               durationMs: 0, steps: [], audit: [], outputs: [], error: nil, memoryPeakBytes: 0)
        func finish(_ code: ExitCode, _ error: (String, String?, String?)? = nil) -> RunReport {
            report.exitCode = code
            if let (m, k, t) = error { report.error = (redactor.scrub(m), k, t.map(redactor.scrub)) }
            report.durationMs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            pushMetrics(&report)
            writeOutputs(report)
            writeTerminationMessage(report)
            // The real reports are there: a hard stop from now on (the stop grace running out
            // while the process exits) must not replace them with the pre-rendered ones.
            LuaState.hardStopFilesWritten()
            console.stop()
            return report
        }

        // SIGTERM (a pod deleted) and SIGINT (Ctrl-C) stop the run cleanly: see `stopMessage`.
        LuaState.setCleanupPhase(false)
        if let grace = options.stopGrace,
           !LuaState.installStopHandlers(grace: grace, exitCode: ExitCode.limit.rawValue, message: { "unidesk: \(Self.stopHardMessage(signal: $0, grace: grace))\n" }) {
            console.line("warning: could not install the SIGTERM/SIGINT handlers; a signal ends the run at once")
        }

        guard let data = FileManager.default.contents(atPath: recipePath) else {
            let msg = "cannot read recipe '\(recipePath)': \(Self.unreadable(recipePath))"
            console.line("error: \(msg)")
            return finish(.usage, (msg, "usage", nil))
        }
        // Bytes, as on disk: a literal written in Latin-1 reaches Lua unchanged.
        let source = Array(data)
        let directory = (recipePath as NSString).deletingLastPathComponent
        let chunkName = "@" + recipePath

        let session: Session
        do {
            session = try Session(options: options, libraries: libraries, console: console, redactor: redactor,
                                  recipeDirectory: directory.isEmpty ? "." : directory)
        } catch {
            let msg = "cannot start the Lua sandbox: \(error)"
            console.line("error: \(msg)")
            return finish(.internalError, (msg, "internal", nil))
        }
        if options.planOutPath != nil || options.applying != nil {
            session.gate.observesBasis = true
            session.gate.digestSalt = options.applying?.salt ?? SavedPlan.randomSalt()
        }
        if let plan = options.applying {
            // Before the recipe runs, so before any effect: a plan that cannot be applied,
            // other vars or grants, a recipe or a file it read that changed.
            if let (code, message) = plan.refusal(options: options, redactor: redactor, recipeDirectory: session.context.recipeDirectory) {
                console.line("error: \(message)")
                session.lua.close()
                return finish(code, (message, code == .drift ? "drift" : "usage", nil))
            }
            session.gate.driftCheck = DriftCheck(plan: plan)
        }
        if let syntax = session.lua.compileError(bytes: source, chunkName: chunkName) {
            console.line("error: \(syntax.message)")
            session.lua.close()
            return finish(.usage, (syntax.message, "syntax", nil))
        }

        let hardStop = Self.hardStopMessage(timeout: options.timeout)
        prepareHardStopReports(report)
        let armed = session.lua.startDeadline(
            seconds: options.timeout, hardGrace: options.hardStopGrace,
            hardStopMessage: "unidesk: \(hardStop)\n", hardStopExitCode: ExitCode.limit.rawValue)
        if !armed { console.line("warning: could not arm the deadline timer; --timeout is not enforced") }

        var outcome: (ExitCode, (String, String?, String?)?) = (.ok, nil)
        do {
            try session.execute(bytes: source, chunkName: chunkName)
            if let epilogue { try session.execute(epilogue, chunkName: "=unidesk test") }
        } catch {
            outcome = classify(error, session: session)
        }
        if let limit = session.lua.tripped {
            outcome = (.limit, (limitMessage(limit, peak: session.lua.memoryPeak), "limit", nil))
        }
        session.steps.abortAll(reason: outcome.1?.0 ?? "the run ended inside this step")
        // Where the run's error came from, judged before a denial replaces the message.
        if outcome.0 != .ok, let (message, kind, _) = outcome.1 {
            report.failedStep = RunReport.failureOrigin(message: message, kind: kind, in: session.stepRecords)
        }
        if outcome.0 == .ok || outcome.0 == .recipeFailed, session.deniedCalls > 0 {
            // A denial is never silent, even when the script caught the error.
            let first = session.journal.denials[0]
            // The denial is the run's error now: neither the traceback nor the step of another
            // error (one the recipe raised after catching the denial) describes it.
            outcome = (.denied, ("policy denied \(first.capability)\(session.deniedCalls > 1 ? " (and \(session.deniedCalls - 1) more)" : "")", "denied", nil))
            report.failedStep = nil
        }
        if let check = session.gate.driftCheck, outcome.0 != .limit {
            if let drift = check.drift {
                // Drift is never silent either: whatever the script did with the error, the
                // run stopped performing there. Uncaught, it came out of its step (which
                // keeps it); caught, the step the run failed in is another error's.
                if outcome.1?.1 != "drift" { report.failedStep = nil }
                outcome = (.drift, (drift.message, "drift", nil))
            } else if outcome.0 == .ok, !check.unreached.isEmpty {
                let n = check.unreached.count
                outcome = (.drift, ("drift: the recipe ended before \(n) planned effect\(n == 1 ? "" : "s") (first: \(check.unreached.first!.capability)): this run did not do what the plan says", "drift", nil))
            }
            report.apply = ApplyOutcome(plan: options.applying!, check: check)
        }
        report.memoryPeakBytes = session.lua.memoryPeak
        // From here on a stop no longer cuts waits short: closing connections and releasing
        // locks is bounded by their own timeouts, and the whole by the stop grace.
        LuaState.setCleanupPhase(true)
        // Not lua_close: finalizers at exit have no purpose in a one-shot run (the host
        // cleans up its own resources), and Lua runs them with hooks off, so a looping
        // __gc could only be ended by the hard stop, after the outcome is already known.
        session.lua.abandon()
        session.finish()

        report.steps = session.stepRecords
        report.audit = session.auditRecords
        report.outputs = session.outputs
        report.metrics = session.context.metrics.metrics
        report.metricsGroup = session.context.metrics.group
        // The usual grouping label: --var app, unless the recipe named its app itself.
        if !report.metricsGroup.contains(where: { $0.name == "app" }), let app = options.vars.last(where: { $0.0 == "app" })?.1, !app.isEmpty {
            report.metricsGroup.append(RecipeMetric.Label("app", app))
        }
        var saved: String?
        if let path = options.planOutPath {
            switch savePlan(SavedPlan.make(recipe: recipePath, session: session, options: options, exitCode: outcome.0), to: path) {
            case .success(let written):
                saved = written.line
                // For the termination message (a pipeline's plan step passes it on to apply).
                savedPlanDigest = written.digest
            case .failure(let e):
                let message = e.message
                if outcome.0 == .ok { outcome = (.usage, (message, "usage", nil)) } else { console.line("error: \(message)") }
            }
        }
        if let (message, kind, traceback) = outcome.1 {
            printError(message: message, kind: kind, traceback: traceback)
        }
        let result = finish(outcome.0, outcome.1)
        printSummary(result)
        if let saved { console.line(saved) }
        return result
    }

    // MARK: outcome

    private func classify(_ error: Error, session: Session) -> (ExitCode, (String, String?, String?)?) {
        guard let e = error as? LuaError else { return (.internalError, ("\(error)", "internal", nil)) }
        var message = e.message
        if let loc = e.location, !message.hasPrefix(loc) { message = "\(loc): \(message)" }
        // An error that came out of a step: show where it came from, not where it was rethrown.
        let traceback = session.steps.firstFailure?.traceback.flatMap { tb in
            tb.hasPrefix(e.message) ? String(tb.dropFirst(e.message.count)).trimmingCharacters(in: .whitespacesAndNewlines) : nil
        } ?? e.traceback.map(Traceback.userFrames)
        switch e.kind {
        case "denied": return (.denied, (message, "denied", traceback))
        // unidesk.fail, and unidesk.test's summary of failed tests: the message says it all.
        case "fail", "tests_failed": return (.recipeFailed, (message, e.kind, nil))
        case "syntax":   // a required module that does not compile: exit 2, as for the recipe itself
            return (.usage, (e.message + (e.location.map { " (required at \($0))" } ?? ""), "syntax", nil))
        default: return (.recipeFailed, (message, e.kind, traceback))
        }
    }

    private func limitMessage(_ limit: LuaLimit, peak: Int) -> String {
        switch limit {
        case .deadline: return "limit: deadline of \(Self.seconds(options.timeout)) exceeded (--timeout)"
        case .memory: return "limit: memory cap of \(options.maxMemoryMB) MiB exceeded (--max-memory)"
        case .interrupt: return LuaState.stopSignal.map { Self.stopMessage(signal: $0) } ?? "limit: interrupted"
        }
    }

    /// What a report says when the process was stopped hard at the deadline.
    public static func hardStopMessage(timeout: Double) -> String {
        "limit: deadline of \(seconds(timeout)) exceeded (--timeout) while the script was stuck where no hook reaches (inside a C function or a __gc finaliser); stopped hard"
    }

    /// The run's error when SIGTERM or SIGINT stopped it.
    public static func stopMessage(signal: String) -> String { "limit: stopped by \(signal)" }

    /// What a report says when a run stopped by a signal was still running after the grace.
    public static func stopHardMessage(signal: String, grace: Double) -> String {
        "limit: stopped by \(signal) and still running \(seconds(grace)) later (--stop-grace: stuck inside a C function, or an effect that finishes by its own rules, such as a restore); stopped hard"
    }

    /// Why a recipe path cannot be read. A directory is refused rather than guessed at: the
    /// recipe's directory is what it may read, so which file runs must be explicit.
    static func unreadable(_ path: String) -> String {
        // stat's own reason: a file in a directory this user may not search is "permission
        // denied", not "no such file" (FileManager.fileExists says false for both).
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            return code == ENOENT || code == ENOTDIR ? "no such file" : String(cString: strerror(code)).lowercased()
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { return "permission denied" }
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        return FileManager.default.fileExists(atPath: base + "/recipe.lua")
            ? "it is a directory; give the recipe file: \(base)/recipe.lua"
            : "it is a directory; give the recipe file (a .lua file in it)"
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s))s" : String(format: "%.3gs", s)
    }

    // MARK: output

    private func printError(message: String, kind: String?, traceback: String?) {
        var text = console.paintIfFancy("error:", 31) + " " + message
        if let traceback, !traceback.isEmpty {
            let lines = Traceback.userFrames(traceback).split(separator: "\n", omittingEmptySubsequences: false)
            text += "\n" + lines.map { "  " + String($0).trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: "\n")
        }
        console.line(text)
    }

    private func printSummary(_ r: RunReport) {
        if r.mode.isPlan {
            PlanSummary(audit: r.audit, exitCode: r.exitCode).lines(paint: console.paintIfFancy).forEach(console.line)
        }
        if let apply = r.apply { apply.lines(paint: console.paintIfFancy).forEach(console.line) }
        let status = r.exitCode == .ok ? console.paintIfFancy("ok", 32) : console.paintIfFancy("\(r.exitCode.status) (exit \(r.exitCode.rawValue))", 31)
        console.line("\(r.recipe): \(status) in \(Console.duration(r.durationMs))")
    }

    /// What the hard stop leaves behind: a report that says the run hit its deadline, or
    /// that a signal stopped it and the grace ran out (steps and audit unknown at that point).
    private func prepareHardStopReports(_ base: RunReport) {
        let termination = terminationLog
        guard options.reportPath != nil || options.junitPath != nil || termination != nil else { return }
        var byReason: [LuaState.HardStopReason: [(path: String, content: String, inPlace: Bool)]] = [:]
        for reason in LuaState.HardStopReason.allCases {
            if reason != .deadline && options.stopGrace == nil { continue }
            var r = base
            r.exitCode = .limit
            let message = reason.signalName.map { Self.stopHardMessage(signal: $0, grace: options.stopGrace ?? 0) } ?? Self.hardStopMessage(timeout: options.timeout)
            r.error = (message, "limit", nil)
            r.durationMs = reason == .deadline ? options.timeout * 1000 : 0
            var files: [(path: String, content: String, inPlace: Bool)] = []
            if options.reportPath != nil || options.junitPath != nil {
                let text = rendered(r)
                if let p = options.reportPath { files.append((p, redactor.scrub(text.json) + "\n", false)) }
                if let p = options.junitPath { files.append((p, redactor.scrub(text.junit), false)) }
            }
            if let termination { files.append((termination, terminationSummary(r), true)) }
            byReason[reason] = files
        }
        LuaState.setHardStopFiles(byReason)
    }

    // MARK: termination message

    /// The digest of the plan `plan --out` saved, once it is written.
    private var savedPlanDigest: String?

    /// The file Kubernetes shows as the container's termination message, when this run
    /// can write it (it exists and is writable): nil otherwise.
    var terminationLog: String? {
        guard let p = options.terminationLogPath, !p.isEmpty, access(p, W_OK) == 0 else { return nil }
        return p
    }

    /// The run's outcome in one line of JSON, at most 4096 bytes (Kubernetes' limit for a
    /// termination message): status, exit code, mode, recipe, the error (secrets masked,
    /// shortened), the plan's digest for apply and for a plan saved with --out, and where
    /// apply found drift.
    func terminationSummary(_ r: RunReport) -> String {
        func cut(_ s: String, _ n: Int) -> String { s.utf8.count <= n ? s : String(decoding: Array(s.utf8.prefix(n)), as: UTF8.self).trimmingCharacters(in: .init(charactersIn: "\u{FFFD}")) + "…" }
        func render(errorLimit: Int) -> String {
            var f: [(String, DataValue)] = [("status", .string(r.exitCode.status)), ("exit_code", .int(Int64(r.exitCode.rawValue))),
                                            ("mode", .string(r.mode.isPlan ? "plan" : options.applying != nil ? "apply" : "run")),
                                            ("recipe", .string(cut(r.recipe, 512)))]
            if let e = r.error { f.append(("error", .string(cut(redactor.scrub(e.message), errorLimit)))) }
            if let digest = options.applying.map({ $0.digest ?? "?" }) ?? savedPlanDigest { f.append(("plan_digest", .string(digest))) }
            if let drift = r.apply?.drift, let capability = drift["capability"]?.stringValue { f.append(("drift", .string(cut(capability, 512)))) }
            return redactor.scrub((try? JSON.encode(.object(f), options: .init(pretty: false, sortKeys: false))) ?? "{}") + "\n"
        }
        var limit = 3000
        var text = render(errorLimit: limit)
        while text.utf8.count > 4096 && limit > 0 { limit -= 500; text = render(errorLimit: max(0, limit)) }
        return text
    }

    private func writeTerminationMessage(_ report: RunReport) {
        guard let path = terminationLog else { return }
        // Written in place: /dev/termination-log is a file mounted by the kubelet, which a
        // rename cannot replace.
        let fd = Glibc.open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { Glibc.close(fd) }
        let bytes = Array(terminationSummary(report).utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            off += n
        }
    }

    /// The report with every secret this engine knows masked, for reports that combine
    /// several runs (`unidesk test`).
    public func scrubbed(_ report: RunReport) -> RunReport { report.scrubbed(by: redactor) }

    /// The report files' text. Secrets are masked in the values before encoding: once
    /// escaped for JSON or XML a secret no longer matches its raw text.
    private func rendered(_ report: RunReport) -> (json: String, junit: String) {
        let r = report.scrubbed(by: redactor)
        let json = (try? JSON.encode(redactor.scrub(r.json), options: .init(pretty: true, sortKeys: false))) ?? "{}"
        return (json, r.junit)
    }

    /// Pushes the run's metrics (a plan only when asked): a failed push is a warning and
    /// the report's `metrics.push`, never the run's exit code.
    private func pushMetrics(_ report: inout RunReport) {
        guard let config = options.policy.metrics, let pusher = options.metricsPusher,
              !options.mode.isPlan || config.inPlan else { return }
        let outcome = pusher(report, config)
        report.metricsPush = outcome
        if let e = outcome.error {
            console.line("warning: metrics not pushed to \(outcome.url): \(redactor.scrub(e)) (the run's outcome stands)")
        } else {
            console.log(.info, "metrics pushed to \(outcome.url)")
        }
    }

    private func writeOutputs(_ report: RunReport) {
        // Rendering walks every audit record (10,000 for a bulk load): only when asked.
        guard options.reportPath != nil || options.junitPath != nil else { return }
        let text = rendered(report)
        if let path = options.reportPath { write(text: text.json, to: path, what: "report") }
        if let path = options.junitPath { write(text: text.junit, to: path, what: "JUnit report") }
    }

    /// Writes the saved plan, whatever the plan run's outcome: one that cannot be applied
    /// says so in the file (apply refuses it) and here.
    private struct PlanNotSaved: Error { let message: String }

    /// The line to print and the digest the file was written with.
    private func savePlan(_ plan: SavedPlan, to path: String) -> Result<(line: String, digest: String), PlanNotSaved> {
        let digest: String
        do {
            let file = try plan.text(scrubbing: redactor)
            try AtomicFile.write(Array(file.text.utf8), to: path)
            digest = file.digest
        } catch {
            return .failure(PlanNotSaved(message: "cannot write the plan to '\(path)': \(error)"))
        }
        if let why = plan.notApplicable {
            return .success(("Saved the plan to \(path), but it cannot be applied: \(why).", digest))
        }
        return .success(("Saved the plan to \(path). Review it with `unidesk show \(path)`; perform exactly it with `unidesk apply \(path)` and the same grants.", digest))
    }

    private func write(text: String, to path: String, what: String) {
        do { try AtomicFile.write(Array((redactor.scrub(text) + "\n").utf8), to: path) } catch {
            console.line("error: cannot write the \(what) to '\(path)': \(error)")
        }
    }
}
