import Foundation
import Testing

/// `unidesk run --junit`: a failure is a `<failure>` exactly when the run failed, once,
/// on the step it came from; retried and skipped pipeline steps say what happened.
@Suite struct RunJUnitTests {
    /// Runs the recipe with --report and --junit; the three outputs must agree.
    func run(_ source: String) throws -> (CLIResult, [String: Any], JUnitFile) {
        let r = try RecipeRun(source)
        defer { r.remove() }
        let result = try r.run("run", ["--no-color", "--report", r.report, "--junit", r.junit])
        let report = try #require(r.reportJSON, "no report. \(result.summary)")
        let junit = try JUnitFile(path: r.junit)
        expectAgreement(result, report: report, junit: junit)
        return (result, report, junit)
    }

    @Test("a pipeline step that passes on its second try is one passing testcase with its attempts")
    func retriedStepPasses() throws {
        let (result, report, junit) = try run("""
            local pipeline = require "unidesk.pipeline"
            local tries = 0
            local r = pipeline.run { steps = {
              { name = "flaky", retries = 2, backoff = 0.01, run = function()
                  tries = tries + 1
                  if tries < 2 then error("not ready yet") end
                end },
            } }
            assert(r.ok, "the pipeline passed")
            """)
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(junit.cases.map(\.name) == ["flaky"], "one testcase, not one per attempt: \(junit.text)")
        #expect(junit.failures == 0)
        let out = junit.testcase("flaky")?.systemOut ?? ""
        #expect(out.contains("attempt 1 failed") && out.contains("not ready yet") && out.contains("attempt 2 passed"), "\(junit.text)")
        let step = (report["steps"] as? [[String: Any]])?.first
        #expect(step?["status"] as? String == "ok")
        #expect((step?["attempts"] as? [[String: Any]])?.map { $0["status"] as? String } == ["failed", "ok"])
        #expect(result.stderr.contains("[retry] flaky (attempt 1 of 3)"), "\(result.summary)")
        #expect(!result.stderr.contains("[FAIL]"), "\(result.summary)")
    }

    @Test("pipeline steps after a failure are <skipped/>; the failure is counted once, on its step")
    func skippedSteps() throws {
        let (result, report, junit) = try run("""
            local pipeline = require "unidesk.pipeline"
            local r = pipeline.run { steps = {
              { name = "build", run = function() end },
              { name = "deploy", run = function() error("registry unreachable", 0) end },
              { name = "smoke test", run = function() end },
              { name = "announce", run = function() end },
            } }
            if not r.ok then error(r.error, 0) end
            """)
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(junit.cases.map(\.name) == ["build", "deploy", "smoke test", "announce"], "\(junit.text)")
        #expect(junit.cases.map { $0.skipped != nil } == [false, false, true, true])
        #expect(junit.testcase("smoke test")?.skipped == "an earlier step failed (deploy)")
        #expect(junit.cases.compactMap(\.failure) == ["registry unreachable"], "\(junit.text)")
        #expect(junit.suites.first?.skipped == 2)
        let steps = report["steps"] as? [[String: Any]] ?? []
        #expect(steps.map { $0["status"] as? String } == ["ok", "failed", "skipped", "skipped"])
        #expect((report["error"] as? [String: Any])?["step"] as? String == "deploy")
        #expect(result.stderr.contains("[skip] smoke test: an earlier step failed (deploy)"), "\(result.summary)")
    }

    @Test("an error out of nested steps is one failure, on the innermost step")
    func nestedFailureCountedOnce() throws {
        let (result, report, junit) = try run("""
            unidesk.step("prepare", function() end)
            unidesk.step("deploy", function()
              unidesk.step("start web", function()
                unidesk.step("health", function() error("not healthy", 0) end)
              end)
            end)
            """)
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(junit.cases.map(\.name) == ["prepare", "deploy", "deploy › start web", "deploy › start web › health"])
        #expect(junit.failures == 1, "\(junit.text)")
        #expect(junit.testcase("deploy › start web › health")?.failure == "not healthy")
        #expect(junit.testcase("deploy")?.systemOut?.contains("passed through it") == true, "\(junit.text)")
        #expect((report["error"] as? [String: Any])?["step"] as? String == "deploy › start web › health")
    }

    @Test("a step failure the recipe caught does not fail the run, nor the JUnit file")
    func caughtFailure() throws {
        let (result, _, junit) = try run("""
            local ok = pcall(unidesk.step, "try the mirror", function() error("mirror down", 0) end)
            unidesk.step("use the origin", function() end)
            """)
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(junit.failures == 0, "\(junit.text)")
        #expect(junit.testcase("try the mirror")?.systemOut?.contains("mirror down") == true, "\(junit.text)")
    }

    @Test("a failure raised outside every step is a (recipe) testcase; a caught step failure in a failed run is a failure too")
    func failureOutsideSteps() throws {
        let (result, _, junit) = try run("""
            local ok = pcall(unidesk.step, "deploy", function() error("unhealthy", 0) end)
            unidesk.step("roll back", function() end)
            unidesk.fail("deploy failed, rolled back")
            """)
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(junit.cases.map(\.name) == ["deploy", "roll back", "(recipe)"])
        // Both failed: the step (its caught error) and the recipe (its own unidesk.fail).
        #expect(junit.cases.compactMap(\.failure).count == 2)
        #expect(junit.testcase("deploy")?.failure?.contains("unhealthy") == true, "\(junit.text)")
        #expect(junit.testcase("roll back")?.failure == nil, "\(junit.text)")
        #expect(junit.testcase("(recipe)")?.failure?.contains("deploy failed, rolled back") == true, "\(junit.text)")
    }

    @Test("a denial the recipe caught still fails the run (exit 3), and JUnit says so")
    func caughtDenial() throws {
        let (result, _, junit) = try run("""
            local fs = require "unidesk.fs"
            local ok = pcall(unidesk.step, "write", function() fs.write("x.txt", "no grant") end)
            """)
        #expect(result.exitCode == 3, "\(result.summary)")
        #expect(junit.testcase("(recipe)")?.failure?.contains("policy denied fs.write") == true, "\(junit.text)")
    }

    @Test("a caught denial and a later step failure: exit 3, the denial on (recipe), the step's own failure on the step, no borrowed traceback")
    func caughtDenialThenStepFailure() throws {
        let (result, report, junit) = try run("""
            local state = require "unidesk.state"
            pcall(state.set, "k", 1)
            unidesk.step("deploy", function() error({ kind = "unhealthy", message = "health check failed" }) end)
            """)
        #expect(result.exitCode == 3, "\(result.summary)")
        let error = report["error"] as? [String: Any]
        #expect(error?["kind"] as? String == "denied")
        #expect(error?["traceback"] == nil, "\(String(describing: error))")
        #expect(error?["step"] == nil, "\(String(describing: error))")
        #expect(junit.testcase("(recipe)")?.failure?.contains("policy denied state.set:k") == true, "\(junit.text)")
        #expect(junit.testcase("deploy")?.failure?.contains("unhealthy: health check failed") == true, "\(junit.text)")
        #expect(!result.stderr.contains("stack traceback"), "\(result.stderr)")
    }
}
