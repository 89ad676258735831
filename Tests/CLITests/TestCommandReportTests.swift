import Foundation
import Testing

/// `unidesk test --report/--junit` over several files: one document for the whole command
/// that says what the exit code says, with every file in it.
@Suite struct TestCommandReportTests {
    static let failing = """
        local test = require "unidesk.test"
        test.it("adds up", function() test.eq(1 + 1, 2) end)
        test.it("is wrong", function()
          -- A step of the code under test that fails and is caught is not a testcase.
          pcall(unidesk.step, "try the fast path", function() error("no fast path") end)
          test.eq({ status = "drift" }, { status = "ok" })
        end)
        """
    static let passing = """
        local test = require "unidesk.test"
        test.describe("b", function()
          test.it("one", function() unidesk.step("code step", function() end) end)
          test.it("two", function() end)
        end)
        """

    @Test("two files, one failing: the report and JUnit hold both files, say failed, exit 1")
    func twoFilesOneFailing() throws {
        let dir = try TempDir(prefix: "unidesk-test-report")
        defer { dir.remove() }
        try dir.write("a_test.lua", Self.failing)
        try dir.write("b_test.lua", Self.passing)
        let r = try Unidesk.run(["test", "--no-color", "--report", "r.json", "--junit", "j.xml", "a_test.lua", "b_test.lua"], in: dir.url)
        #expect(r.exitCode == 1, "\(r.summary)")
        let report = try #require(readJSON(dir.path("r.json")), "no report. \(r.summary)")
        let junit = try JUnitFile(path: dir.path("j.xml"))
        expectAgreement(r, report: report, junit: junit)

        // The report: every file's run, in order, each with its tests as steps.
        let files = report["files"] as? [[String: Any]] ?? []
        #expect(files.map { $0["recipe"] as? String } == ["a_test.lua", "b_test.lua"])
        #expect(files.map { $0["status"] as? String } == ["failed", "ok"])
        let tests = files.map { f in ((f["steps"] as? [[String: Any]]) ?? []).filter { $0["test"] as? Bool == true }.map { $0["name"] as? String ?? "" } }
        #expect(tests == [["adds up", "is wrong"], ["b › one", "b › two"]])
        #expect((report["tests"] as? [String: Any])?["failed"] as? NSNumber == 1)
        #expect((report["tests"] as? [String: Any])?["passed"] as? NSNumber == 3)
        #expect(report["failing_files"] as? [String] == ["a_test.lua"])

        // JUnit: one testsuite per file, the its as testcases and nothing else.
        #expect(junit.suites.map(\.name) == ["a_test.lua", "b_test.lua"])
        #expect(junit.cases.map(\.name) == ["adds up", "is wrong", "b › one", "b › two"])
        #expect(junit.suites.map(\.failures) == [1, 0])
        let wrong = try #require(junit.testcase("is wrong"))
        #expect(wrong.failure?.contains("at .status: expected \"ok\", got \"drift\"") == true, "\(junit.text)")
        #expect(wrong.systemOut?.contains("[FAIL] try the fast path") == true, "the code's steps are in the test's output: \(junit.text)")
        #expect(junit.testcase("b › one")?.systemOut?.contains("[ok] code step") == true)
    }

    @Test("every file passing: status ok, exit 0, no failure")
    func allPassing() throws {
        let dir = try TempDir(prefix: "unidesk-test-report")
        defer { dir.remove() }
        try dir.write("a/one_test.lua", Self.passing)
        try dir.write("b/two_test.lua", Self.passing)
        let r = try Unidesk.run(["test", "--no-color", "--report", "r.json", "--junit", "j.xml"], in: dir.url)
        #expect(r.exitCode == 0, "\(r.summary)")
        let report = try #require(readJSON(dir.path("r.json")), "no report. \(r.summary)")
        let junit = try JUnitFile(path: dir.path("j.xml"))
        expectAgreement(r, report: report, junit: junit)
        #expect(junit.suites.map(\.name) == ["a/one_test.lua", "b/two_test.lua"])
        #expect(junit.cases.count == 4)
    }

    @Test("a file that fails outside its tests is a (file) testcase; its tests' summary is not counted again")
    func failureOutsideTests() throws {
        let dir = try TempDir(prefix: "unidesk-test-report")
        defer { dir.remove() }
        try dir.write("crash_test.lua", """
            local test = require "unidesk.test"
            test.it("runs", function() end)
            local broken = nil
            broken.call()
            """)
        try dir.write("two_failing_test.lua", """
            local test = require "unidesk.test"
            test.it("first", function() error("one") end)
            test.it("second", function() error("two") end)
            """)
        let r = try Unidesk.run(["test", "--no-color", "--report", "r.json", "--junit", "j.xml"], in: dir.url)
        #expect(r.exitCode == 1, "\(r.summary)")
        let junit = try JUnitFile(path: dir.path("j.xml"))
        let report = readJSON(dir.path("r.json"))
        expectAgreement(r, report: report, junit: junit)
        #expect(junit.cases.map(\.name) == ["runs", "(file)", "first", "second"])
        // The tests a file ran before it stopped still count.
        #expect((report?["tests"] as? [String: Any])?["passed"] as? NSNumber == 1)
        #expect((report?["tests"] as? [String: Any])?["failed"] as? NSNumber == 2)
        #expect(r.stderr.contains("1 passed, 2 failed in 2 files"), "\(r.summary)")
        #expect(junit.testcase("(file)")?.failure?.contains("crash_test.lua:4") == true, "\(junit.text)")
        #expect(junit.suites.map(\.failures) == [1, 2], "\"2 of 2 tests failed\" is not a third failure")
    }

    @Test("secrets a file knows are masked in the command's report and JUnit")
    func secretsMasked() throws {
        let dir = try TempDir(prefix: "unidesk-test-report")
        defer { dir.remove() }
        try dir.write("a_test.lua", """
            local test = require "unidesk.test"
            test.it("leaks", function()
              unidesk.secret("hunter2-token-value")
              unidesk.step("login with hunter2-token-value", function() error("rejected hunter2-token-value", 0) end)
            end)
            """)
        try dir.write("b_test.lua", Self.passing)
        let r = try Unidesk.run(["test", "--no-color", "--report", "r.json", "--junit", "j.xml"], in: dir.url)
        #expect(r.exitCode == 1, "\(r.summary)")
        let report = try String(contentsOfFile: dir.path("r.json"), encoding: .utf8)
        let junit = try JUnitFile(path: dir.path("j.xml"))
        #expect(!report.contains("hunter2-token-value") && report.contains("rejected <secret>"), "\(report)")
        #expect(!junit.text.contains("hunter2-token-value") && junit.text.contains("rejected &lt;secret&gt;"), "\(junit.text)")
    }

    /// The recipes' own suite: every test passes, so CI must see no failure, and only the
    /// its as testcases (their code runs steps of its own, some failing on purpose).
    @Test("unidesk test recipes --junit: failures 0, one testcase per it")
    func recipesSuite() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
        let dir = try TempDir(prefix: "unidesk-test-recipes")
        defer { dir.remove() }
        let r = try Unidesk.run(["test", "recipes", "--no-color", "--report", dir.path("r.json"), "--junit", dir.path("j.xml")], in: root, hardTimeout: 120)
        #expect(r.exitCode == 0, "\(r.summary)")
        let report = try #require(readJSON(dir.path("r.json")), "no report. \(r.summary)")
        let junit = try JUnitFile(path: dir.path("j.xml"))
        expectAgreement(r, report: report, junit: junit)
        let files = report["files"] as? [[String: Any]] ?? []
        #expect(junit.suites.map(\.name) == files.map { $0["recipe"] as? String ?? "" })
        #expect(junit.suites.count > 1)
        let its = files.flatMap { f in ((f["steps"] as? [[String: Any]]) ?? []).filter { $0["test"] as? Bool == true }.map { $0["name"] as? String ?? "" } }
        let allSteps = files.reduce(0) { $0 + (($1["steps"] as? [Any])?.count ?? 0) }
        #expect(junit.cases.map(\.name) == its)
        #expect(allSteps > its.count, "the recipes' code runs steps of its own, which are not testcases")
        #expect((report["tests"] as? [String: Any])?["passed"] as? NSNumber == NSNumber(value: its.count))
    }
}

func readJSON(_ path: String) -> [String: Any]? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
}

/// A test file stopped hard at the deadline (stuck in C, where no hook reaches): the files
/// CI reads still hold every file, and say limit with the process's exit code 4.
@Suite struct TestCommandHardStopTests {
    @Test("a hard stop in the second file: report and JUnit hold both files and say limit, exit 4")
    func hardStop() throws {
        let dir = try TempDir(prefix: "unidesk-test-hardstop")
        defer { dir.remove() }
        try dir.write("a_test.lua", TestCommandReportTests.passing)
        try dir.write("b_test.lua", """
            local test = require "unidesk.test"
            test.it("backtracks for minutes in C", function()
              string.find(string.rep("a", 40000), ".-.-.-.-.-.-b")
            end)
            """)
        let r = try Unidesk.run(["test", "--no-color", "--timeout", "1", "--report", "r.json", "--junit", "j.xml"], in: dir.url)
        #expect(r.exitCode == 4, "\(r.summary)")
        let report = try #require(readJSON(dir.path("r.json")), "no report. \(r.summary)")
        let junit = try JUnitFile(path: dir.path("j.xml"))
        expectAgreement(r, report: report, junit: junit)
        let files = report["files"] as? [[String: Any]] ?? []
        #expect(files.map { $0["recipe"] as? String } == ["a_test.lua", "b_test.lua"])
        #expect(files.map { $0["status"] as? String } == ["ok", "limit"])
        #expect(junit.suites.map(\.name) == ["a_test.lua", "b_test.lua"])
        #expect(junit.testcase("(file)")?.failure?.contains("stopped hard") == true, "\(junit.text)")
    }
}
