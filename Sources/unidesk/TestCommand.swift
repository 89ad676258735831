import ArgumentParser
import Foundation
import UnideskBindings
import UnideskCore

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Run a recipe's tests (*_test.lua files).",
        discussion: """
        Each *_test.lua file runs as a recipe of its own, in a fresh sandbox, in run mode, with \
        `require "unidesk.test"`: describe/it, test.eq (deep equality, the first difference named), \
        test.raises, and test.fake(family, impl) to replace any primitive family (registry, http, \
        compose, kube, pg…) by a table of functions, so a recipe's policy is tested without \
        infrastructure. --report writes one JSON document with every file's run and the \
        command's status; --junit one testsuite per file with one testcase per test (steps run \
        by the code under test are not testcases; see docs/reports.md). Each file gets a fresh state directory of its own (unless --state-dir is given), where \
        state.* and fs.write need no grant; every other write still does.

        Recordings of real responses: test.replay(family, "fixtures/x.recording.json") puts a \
        recording in front of a family. A call is answered by the recorded call with the same \
        function and arguments (deep equality, as JSON): its results, its `nil, err`, or its \
        error raised again (same kind, message and fields). A call the recording lacks fails the \
        test, naming the call and the file. `unidesk test --record` runs the same files against \
        the real primitives (grants from --allow and the policy, as for run) and writes each \
        recording when its file's tests finish: pretty JSON with stable key order, written \
        atomically, only inside the test file's directory, secrets and --secret-env values \
        masked. Commit the recordings; replaying needs no infrastructure and no grants.

        Exit 0 when every test passed, 1 when one failed or a file could not run.
        """)

    @Argument(help: "Test files or directories to search for *_test.lua (default: the current directory).")
    var paths: [String] = []

    @Flag(help: "Call the real primitives behind test.replay and write its recordings (see above).")
    var record = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        let files = try Self.testFiles(paths.isEmpty ? ["."] : paths)
        guard !files.isEmpty else { throw ValidationError("no *_test.lua files under \(paths.isEmpty ? "." : paths.joined(separator: ", "))") }
        let base = try common.engineOptions(mode: .run)
        // One --report and one --junit for the whole command, written once every file ran:
        // each file's engine writes none of its own.
        var combined = TestRunReport(startedAt: Date())
        let t0 = Date()
        for f in files {
            var options = base
            options.reportPath = nil
            options.junitPath = nil
            options.recordReplays = record
            // Tests never touch the real state: a fresh state directory per file, unless given.
            let scratch = NSTemporaryDirectory() + "unidesk-test-state-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            // Nor a shared state database ($UNIDESK_STATE_DB), unless --state-db names one.
            if common.stateDb == nil { options.stateDatabase = nil }
            if common.stateDir == nil {
                options.stateDirectory = scratch
                // That directory is the test's own: writing state and files there needs no
                // grant (a state database named with --state-db is not: state.* still does).
                try? options.policy.add(allow: options.stateDatabase == nil ? ["state.*", "fs.write:*"] : ["fs.write:*"], deny: [])
            }
            combined.armHardStop(running: f, timeout: options.timeout, reportPath: base.reportPath, junitPath: base.junitPath)
            let engine = Engine(options: options, libraries: Libraries.all)
            let report = engine.run(recipePath: f, epilogue: "require('unidesk.test').finish()")
            combined.add(report, from: engine)
        }
        combined.durationMs = Date().timeIntervalSince(t0) * 1000
        combined.write(reportPath: base.reportPath, junitPath: base.junitPath)
        let failing = combined.files.filter { $0.exitCode != .ok }.map(\.recipe)
        Console.writeFD(2, "\(combined.passed) passed, \(combined.failed) failed in \(files.count) file\(files.count == 1 ? "" : "s")\(failing.isEmpty ? "" : "; failing: " + failing.joined(separator: ", "))\n")
        throw CommandExit(code: combined.exitCode.rawValue)
    }

    static func testFiles(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { throw ValidationError("\(p) does not exist") }
            if !isDir.boolValue { out.append(p); continue }
            let found = FileManager.default.enumerator(atPath: p)?.compactMap { $0 as? String } ?? []
            out += found.filter { $0.hasSuffix("_test.lua") && !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
                .sorted().map { p == "." ? $0 : "\(p)/\($0)" }
        }
        return out
    }
}
