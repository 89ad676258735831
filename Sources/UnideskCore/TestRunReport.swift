import Foundation
import LuaRuntime
import UnideskData
import UnideskFiles

/// What `unidesk test` writes to --report and --junit: every test file's run in one JSON
/// document and one JUnit document (a testsuite per file), with the status and exit code
/// of the whole command.
public struct TestRunReport {
    public var startedAt: Date
    public var durationMs: Double = 0
    /// Each file's report, secrets already masked by the engine that ran it.
    public private(set) var files: [RunReport] = []
    private var redactors: [Redactor] = []

    public init(startedAt: Date) { self.startedAt = startedAt }

    /// Adds a file's report as its engine masks it.
    public mutating func add(_ report: RunReport, from engine: Engine) {
        var r = engine.scrubbed(report)
        r.isTestFile = true
        files.append(r)
        redactors.append(engine.redactor)
    }

    /// `unidesk test` exits 0 when every file passed, 1 otherwise.
    public var exitCode: ExitCode { files.allSatisfy { $0.exitCode == .ok } ? .ok : .recipeFailed }

    /// The tests (`it`s) that ran, by outcome: counted from the steps, as JUnit counts them,
    /// so a file that stopped early still counts the tests it ran.
    public var passed: Int { tests { $0 == .ok } }
    public var failed: Int { tests { $0 != .ok && $0 != .skipped } }

    private func tests(_ counted: (StepRecord.Status) -> Bool) -> Int {
        files.reduce(0) { $0 + $1.steps.filter { $0.isTest && counted($0.status) }.count }
    }

    public func json(exitCode code: ExitCode) -> DataValue {
        .object([
            ("schema", .int(Int64(RunReport.schemaVersion))),
            ("command", .string("test")),
            ("status", .string(code.status)),
            ("exit_code", .int(Int64(code.rawValue))),
            ("started_at", .string(ISO8601DateFormatter().string(from: startedAt))),
            ("duration_ms", .double((durationMs * 1000).rounded() / 1000)),
            ("tests", .object([("passed", .int(Int64(passed))), ("failed", .int(Int64(failed)))])),
            ("failing_files", .array(files.filter { $0.exitCode != .ok }.map { .string($0.recipe) })),
            ("files", .array(files.map(\.json))),
        ])
    }

    public var junit: String {
        JUnit.document(name: "unidesk test", seconds: durationMs / 1000, suites: files.map(\.junitSuite))
    }

    /// The two documents' text, every known secret masked.
    func rendered(exitCode code: ExitCode) -> (json: String, junit: String) {
        var json = (try? JSON.encode(json(exitCode: code), options: .init(pretty: true, sortKeys: false))) ?? "{}"
        var junit = self.junit
        for r in redactors {
            json = r.scrub(json)
            junit = r.scrub(junit)
        }
        return (json + "\n", junit)
    }

    /// Writes --report and --junit; a failure to write is printed, never thrown.
    public func write(reportPath: String?, junitPath: String?) {
        guard reportPath != nil || junitPath != nil else { return }
        let text = rendered(exitCode: exitCode)
        for (path, content, what) in [(reportPath, text.json, "report"), (junitPath, text.junit, "JUnit report")] {
            guard let path else { continue }
            do { try AtomicFile.write(Array(content.utf8), to: path) } catch {
                Console.writeFD(2, "error: cannot write the \(what) to '\(path)': \(error)\n")
            }
        }
    }

    /// What the files say if the process is stopped hard while `running` runs: the files
    /// so far, `running` as a limit, and the whole command as a limit (exit 4), as it exits.
    public func armHardStop(running: String, timeout: Double, reportPath: String?, junitPath: String?) {
        guard reportPath != nil || junitPath != nil else { return }
        var partial = self
        let message = Engine.hardStopMessage(timeout: timeout)
        var stopped = RunReport(recipe: running, mode: .run, exitCode: .limit, startedAt: Date(), durationMs: timeout * 1000,
                                steps: [], audit: [], outputs: [], error: (message, "limit", nil), memoryPeakBytes: 0)
        stopped.isTestFile = true
        partial.files.append(stopped)
        partial.durationMs = Date().timeIntervalSince(startedAt) * 1000 + timeout * 1000
        let text = partial.rendered(exitCode: .limit)
        var files: [(path: String, content: String)] = []
        if let p = reportPath { files.append((p, text.json)) }
        if let p = junitPath { files.append((p, text.junit)) }
        LuaState.setHardStopFiles(files)
    }
}
