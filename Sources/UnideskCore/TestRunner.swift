import Foundation
import LuaRuntime

/// `unidesk test`: finds the *_test.lua files, runs each as a recipe of its own (a fresh
/// engine, in run mode, with its own state) and combines their reports into one.
public struct TestRunner {
    /// A path that names no test file (shown as a usage error).
    public struct UsageError: Error {
        public let message: String
    }

    public var base: EngineOptions
    /// `test --record`: real primitives behind test.replay, recordings written.
    public var record: Bool
    /// --state-dir was given: the files share it instead of a fresh directory each.
    public var stateDirectoryGiven: Bool
    /// --state-db was given: the files use that database (an inherited $UNIDESK_STATE_DB is dropped).
    public var stateDatabaseGiven: Bool
    public let libraries: [HostLibrary]

    public init(base: EngineOptions, record: Bool, stateDirectoryGiven: Bool, stateDatabaseGiven: Bool, libraries: [HostLibrary]) {
        self.base = base
        self.record = record
        self.stateDirectoryGiven = stateDirectoryGiven
        self.stateDatabaseGiven = stateDatabaseGiven
        self.libraries = libraries
    }

    /// The test files under `paths` (default "."): a file as given, a directory searched for
    /// *_test.lua (hidden directories skipped), sorted per directory.
    public static func testFiles(_ paths: [String]) throws(UsageError) -> [String] {
        let roots = paths.isEmpty ? ["."] : paths
        var out: [String] = []
        for p in roots {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { throw UsageError(message: "\(p) does not exist") }
            if !isDir.boolValue { out.append(p); continue }
            let found = FileManager.default.enumerator(atPath: p)?.compactMap { $0 as? String } ?? []
            out += found.filter { $0.hasSuffix("_test.lua") && !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
                .sorted().map { p == "." ? $0 : "\(p)/\($0)" }
        }
        guard !out.isEmpty else { throw UsageError(message: "no *_test.lua files under \(roots.joined(separator: ", "))") }
        return out
    }

    /// The options one file runs with; `scratch` is its fresh state directory.
    public func options(scratch: String) -> EngineOptions {
        var options = base
        // One --report and one --junit for the whole command, written once every file ran:
        // each file's engine writes none of its own.
        options.reportPath = nil
        options.junitPath = nil
        // Nor a termination message per file: the command's outcome is its exit code.
        options.terminationLogPath = nil
        // The combined report (written by the runner, not the engine) holds the audit too.
        options.fingerprintReads = base.reportPath != nil
        options.recordReplays = record
        // Tests never touch a shared state database ($UNIDESK_STATE_DB), unless --state-db names one.
        if !stateDatabaseGiven { options.stateDatabase = nil }
        // Nor the real state: a fresh state directory per file, unless --state-dir is given.
        if !stateDirectoryGiven {
            options.stateDirectory = scratch
            // That directory is the test's own: writing state and files there needs no
            // grant (a state database named with --state-db is not: state.* still does).
            try? options.policy.add(allow: options.stateDatabase == nil ? ["state.*", "fs.write:*"] : ["fs.write:*"], deny: [])
        }
        return options
    }

    /// Runs every file, writes the combined --report and --junit, and returns the report.
    public func run(_ files: [String]) -> TestRunReport {
        var combined = TestRunReport(startedAt: Date())
        let t0 = Date()
        for f in files {
            let scratch = NSTemporaryDirectory() + "unidesk-test-state-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let options = options(scratch: scratch)
            combined.armHardStop(running: f, timeout: options.timeout, reportPath: base.reportPath, junitPath: base.junitPath)
            let engine = Engine(options: options, libraries: libraries)
            let report = engine.run(recipePath: f, epilogue: "require('unidesk.test').finish()")
            combined.add(report, from: engine)
            // SIGTERM/SIGINT: the file that was running stopped; the others do not start.
            if LuaState.stopSignal != nil { break }
        }
        combined.durationMs = Date().timeIntervalSince(t0) * 1000
        combined.write(reportPath: base.reportPath, junitPath: base.junitPath)
        return combined
    }

    /// The closing line: "3 passed, 1 failed in 2 files; failing: a_test.lua".
    public static func summary(_ report: TestRunReport) -> String {
        let failing = report.files.filter { $0.exitCode != .ok }.map(\.recipe)
        let n = report.files.count
        return "\(report.passed) passed, \(report.failed) failed in \(n) file\(n == 1 ? "" : "s")\(failing.isEmpty ? "" : "; failing: " + failing.joined(separator: ", "))"
    }
}
