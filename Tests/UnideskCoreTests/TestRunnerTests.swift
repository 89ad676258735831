import Foundation
import Testing
import UnideskBindings
@testable import UnideskCore

/// `unidesk test`'s policy without the CLI: which files run, with which options.
@Suite struct TestRunnerTests {
    /// A temporary directory with the given files (relative paths, content).
    func tree(_ files: [String: String]) throws -> String {
        let dir = NSTemporaryDirectory() + "unidesk-testrunner-\(UUID().uuidString)"
        for (path, content) in files {
            let full = dir + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try content.write(toFile: full, atomically: true, encoding: .utf8)
        }
        return dir
    }

    @Test("a directory is searched for *_test.lua, sorted, hidden directories skipped; a file is taken as given")
    func discovery() throws {
        let dir = try tree(["b_test.lua": "", "a/x_test.lua": "", "a/helper.lua": "", ".git/y_test.lua": "",
                            "a/.cache/z_test.lua": "", "other.lua": ""])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try TestRunner.testFiles([dir]) == ["\(dir)/a/x_test.lua", "\(dir)/b_test.lua"])
        #expect(try TestRunner.testFiles([dir + "/other.lua", dir + "/a"]) == ["\(dir)/other.lua", "\(dir)/a/x_test.lua"])
    }

    @Test("a missing path, or none with tests, is a usage error naming it")
    func usageErrors() throws {
        let dir = try tree(["a/helper.lua": ""])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: TestRunner.UsageError.self) { try TestRunner.testFiles([dir + "/nope"]) }
        do {
            _ = try TestRunner.testFiles([dir + "/nope"])
        } catch {
            #expect(error.message == "\(dir)/nope does not exist")
        }
        do {
            _ = try TestRunner.testFiles([dir])
            Issue.record("expected a usage error")
        } catch {
            #expect(error.message == "no *_test.lua files under \(dir)")
        }
    }

    func base() throws -> EngineOptions {
        var o = EngineOptions()
        o.reportPath = "/tmp/r.json"
        o.junitPath = "/tmp/j.xml"
        o.stateDirectory = "/var/lib/real-state"
        o.stateDatabase = "host=db"
        try o.policy.add(allow: ["kube.apply:dev/*"], deny: [])
        return o
    }

    @Test("by default each file gets its own state directory, where state and file writes need no grant; no inherited state database")
    func freshState() throws {
        let runner = TestRunner(base: try base(), record: true, stateDirectoryGiven: false, stateDatabaseGiven: false, libraries: [])
        let o = runner.options(scratch: "/tmp/scratch-1")
        #expect(o.stateDirectory == "/tmp/scratch-1")
        #expect(o.stateDatabase == nil)
        #expect(o.reportPath == nil && o.junitPath == nil)   // one combined report, written by the runner
        #expect(o.recordReplays)
        #expect(o.policy.decide(Capability("state.set", scope: "app/k"), effect: .write) == .allowed)
        #expect(o.policy.decide(Capability("fs.write", scope: "out.txt"), effect: .write) == .allowed)
        #expect(o.policy.decide(Capability("kube.apply", scope: "dev/x"), effect: .write) == .allowed)
        #expect(o.policy.decide(Capability("kube.apply", scope: "prod/x"), effect: .write) != .allowed)
    }

    @Test("with --state-db, state.* still needs a grant; with --state-dir, nothing is granted")
    func givenState() throws {
        let db = TestRunner(base: try base(), record: false, stateDirectoryGiven: false, stateDatabaseGiven: true, libraries: [])
            .options(scratch: "/tmp/scratch-2")
        #expect(db.stateDatabase == "host=db")
        #expect(db.stateDirectory == "/tmp/scratch-2")
        #expect(!db.recordReplays)
        #expect(db.policy.decide(Capability("state.set", scope: "app/k"), effect: .write) != .allowed)
        #expect(db.policy.decide(Capability("fs.write", scope: "out.txt"), effect: .write) == .allowed)

        let dir = TestRunner(base: try base(), record: false, stateDirectoryGiven: true, stateDatabaseGiven: false, libraries: [])
            .options(scratch: "/tmp/scratch-3")
        #expect(dir.stateDirectory == "/var/lib/real-state")
        #expect(dir.stateDatabase == nil)
        #expect(dir.policy.decide(Capability("state.set", scope: "app/k"), effect: .write) != .allowed)
        #expect(dir.policy.decide(Capability("fs.write", scope: "out.txt"), effect: .write) != .allowed)
    }

    @Test("files run one by one into one report: a passing and a failing file, a state write without a grant")
    func runsFiles() throws {
        let dir = try tree([
            "ok_test.lua": """
            local test = require "unidesk.test"
            local state = require "unidesk.state"
            test.it("writes its own state", function()
              state.set("app/k", "v")
              test.eq(state.get("app/k"), "v")
            end)
            """,
            "bad_test.lua": """
            local test = require "unidesk.test"
            test.it("fails", function() test.eq(1, 2) end)
            test.it("passes", function() end)
            """,
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = EngineOptions()
        o.color = false
        o.environment = [:]
        let runner = TestRunner(base: o, record: false, stateDirectoryGiven: false, stateDatabaseGiven: false, libraries: Libraries.all)
        let report = runner.run(try TestRunner.testFiles([dir]))
        #expect(report.files.map(\.recipe).map { ($0 as NSString).lastPathComponent } == ["bad_test.lua", "ok_test.lua"])
        #expect(report.passed == 2)
        #expect(report.failed == 1)
        #expect(report.exitCode == .recipeFailed)
        #expect(TestRunner.summary(report).hasPrefix("2 passed, 1 failed in 2 files; failing: "))
        #expect(TestRunner.summary(report).hasSuffix("bad_test.lua"))
    }
}
