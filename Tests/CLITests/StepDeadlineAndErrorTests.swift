import Foundation
import Testing

/// Issue 16, items 3, 4 and 8: a step's timeout bounds what runs inside it; error values
/// read as `kind: message` everywhere; errors point at the user's line, without unidesk's
/// own frames or Swift's debug text, and a caught error prints nothing.
@Suite("CLI step deadlines and error values")
struct StepDeadlineAndErrorTests {
    /// The report's steps (empty when there is no report).
    static func steps(_ r: RecipeRun) -> [[String: Any]] { r.reportJSON?["steps"] as? [[String: Any]] ?? [] }

    @Test("a step's timeout cuts time.sleep short: the step fails with kind timeout in stderr, report, JUnit and the pipeline result")
    func stepTimeoutCutsSleepShort() throws {
        let r = try RecipeRun("""
            local pipeline = require "unidesk.pipeline"
            local time = require "unidesk.time"
            local result = pipeline.run { name = "p", steps = {
              { name = "slow", timeout = 0.2, run = function() time.sleep(5) end },
            } }
            local e = result.steps[1].error
            unidesk.output("status", result.steps[1].status)
            unidesk.output("error_is_table", type(e) == "table")
            unidesk.output("error_kind", type(e) == "table" and e.kind or tostring(e))
            if not result.ok then error(result.error) end
            """)
        defer { r.remove() }
        let result = try r.run("run", ["--no-color", "--report", r.report, "--junit", r.junit])
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(result.stderr.contains("[FAIL] slow ("), "\(result.summary)")
        #expect(result.stderr.contains("): step 'slow' ran past its timeout of 0.2 s"), "\(result.summary)")
        #expect(result.stderr.contains("error: recipe.lua:4: step 'slow' ran past its timeout of 0.2 s"), "\(result.summary)")
        #expect(!result.stderr.contains("[ok] slow"), "\(result.summary)")

        let steps = Self.steps(r)
        let slow = try #require(steps.first { $0["name"] as? String == "slow" }, "\(steps)")
        #expect(slow["status"] as? String == "failed")
        #expect(slow["error_kind"] as? String == "timeout")
        #expect(slow["error"] as? String == "step 'slow' ran past its timeout of 0.2 s", "\(slow)")

        let outputs = r.reportJSON?["outputs"] as? [String: Any] ?? [:]
        #expect(outputs["status"] as? String == "timeout")
        #expect(outputs["error_is_table"] as? Bool == true, "the pipeline result keeps the error value")
        #expect(outputs["error_kind"] as? String == "timeout")

        let junit = try String(contentsOfFile: r.junit, encoding: .utf8)
        #expect(junit.contains("type=\"timeout\""), "\(junit)")
        #expect(junit.contains("step &apos;slow&apos; ran past its timeout") || junit.contains("step 'slow' ran past its timeout"), "\(junit)")
    }

    @Test("a step that overruns its timeout in Lua alone is failed as timeout on stderr and in the report too")
    func stepOverrunningInLuaFailsAsTimeout() throws {
        let r = try RecipeRun("""
            local pipeline = require "unidesk.pipeline"
            local time = require "unidesk.time"
            local result = pipeline.run { steps = {
              { name = "busy", timeout = 0.1, run = function()
                  local t0 = time.monotonic()
                  while time.monotonic() - t0 < 0.3 do end   -- no sleep, no gated call
                end },
            } }
            unidesk.output("status", result.steps[1].status)
            """)
        defer { r.remove() }
        let result = try r.run("run", ["--no-color", "--report", r.report])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stderr.contains("[FAIL] busy (") && result.stderr.contains("): step 'busy' ran past its timeout of 0.1 s"), "\(result.summary)")
        #expect(!result.stderr.contains("[ok] busy"), "\(result.summary)")
        let busy = Self.steps(r).first { $0["name"] as? String == "busy" }
        #expect(busy?["status"] as? String == "failed" && busy?["error_kind"] as? String == "timeout", "\(Self.steps(r))")
        #expect((r.reportJSON?["outputs"] as? [String: Any])?["status"] as? String == "timeout")
    }

    @Test("http.wait in a step whose deadline passes stops there: a few attempts, one summary line, no [error] per attempt")
    func httpWaitStopsAtTheStepDeadline() throws {
        // Port 9 (discard) refuses at once: before, every attempt failed instantly and the
        // loop spun until the run's deadline (hundreds of requests and [error] lines).
        let r = try RecipeRun("""
            local pipeline = require "unidesk.pipeline"
            local http = require "unidesk.http"
            local result = pipeline.run { steps = {
              { name = "health", timeout = 0.5, run = function()
                  http.wait("http://127.0.0.1:9/health", { timeout = 60, interval = 0.2 })
                end },
            } }
            unidesk.output("status", result.steps[1].status)
            """)
        defer { r.remove() }
        let result = try r.run("run", ["--no-color", "--allow", "http.get:*", "--timeout", "20", "--report", r.report])
        #expect(result.exitCode == 0, "\(result.summary)")
        let outputs = r.reportJSON?["outputs"] as? [String: Any] ?? [:]
        #expect(outputs["status"] as? String == "timeout", "\(result.summary)")

        let audit = r.reportJSON?["audit"] as? [[String: Any]] ?? []
        let gets = audit.filter { $0["primitive"] as? String == "unidesk.http.get" }
        // 0.5 s at one attempt per 0.2 s: at most 4 (the first, then one after each sleep).
        #expect(gets.count >= 1 && gets.count <= 4, "\(gets.count) requests. \(result.summary)")
        #expect(!result.stderr.contains("[error]"), "\(result.summary)")
        let summaries = result.stderr.split(separator: "\n").filter { $0.contains("http.wait http://127.0.0.1:9/health") }
        #expect(summaries.count == 1, "\(result.summary)")
        #expect(result.stderr.contains("[FAIL] health ("), "\(result.summary)")
    }

    @Test("error({kind=, message=}) reads kind: message in [FAIL], the final error line, report and JUnit")
    func errorTablesReadAsKindAndMessage() throws {
        let r = try RecipeRun("""
            unidesk.step("deploy", function()
              error({ kind = "rollout", message = "web did not become ready" })
            end)
            """)
        defer { r.remove() }
        let result = try r.run("run", ["--no-color", "--report", r.report, "--junit", r.junit])
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(!result.stderr.contains("table: 0x"), "\(result.summary)")
        #expect(result.stderr.contains("[FAIL] deploy (") && result.stderr.contains("): rollout: web did not become ready"), "\(result.summary)")
        #expect(result.stderr.contains("error: recipe.lua:2: rollout: web did not become ready"), "\(result.summary)")

        let report = try #require(r.reportJSON, "\(result.summary)")
        let step = Self.steps(r).first
        #expect(step?["error"] as? String == "rollout: web did not become ready")
        #expect(step?["error_kind"] as? String == "rollout")
        let error = report["error"] as? [String: Any] ?? [:]
        #expect(error["message"] as? String == "recipe.lua:2: rollout: web did not become ready", "\(error)")
        let junit = try String(contentsOfFile: r.junit, encoding: .utf8)
        #expect(junit.contains("rollout: web did not become ready") && !junit.contains("table: 0x"), "\(junit)")
    }

    @Test("unidesk test: a test that raises an error table fails with kind: message")
    func testCommandShowsErrorTables() throws {
        let dir = try TempDir(prefix: "unidesk-test-errtable")
        defer { dir.remove() }
        try dir.write("deploy_test.lua", """
            local test = require "unidesk.test"
            test.it("rolls back", function() error({ kind = "held", message = "major upgrade needs approval" }) end)
            """)
        let result = try Unidesk.run(["test", "--no-color"], in: dir.url)
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(result.stderr.contains("held: major upgrade needs approval"), "\(result.summary)")
        #expect(!result.stderr.contains("table: 0x"), "\(result.summary)")
    }

    @Test("a primitive error the recipe catches with pcall prints no [error] line")
    func caughtPrimitiveErrorIsQuiet() throws {
        let r = try RecipeRun("""
            local fs = require "unidesk.fs"
            local ok, err = pcall(fs.read, "missing.txt")
            print(ok, err.kind)
            """)
        defer { r.remove() }
        let result = try r.run("run", ["--no-color", "--report", r.report])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout.hasPrefix("false"), "\(result.summary)")
        #expect(!result.stderr.contains("[error]"), "\(result.summary)")
        let audit = r.reportJSON?["audit"] as? [[String: Any]] ?? []
        #expect(audit.map { $0["outcome"] as? String } == ["error"], "the audit keeps the failed call")
    }

    @Test("a bad state key: a bad-argument message at the recipe's line, no Swift enum text")
    func badStateKeyHasNoSwiftText() throws {
        let r = try RecipeRun("""
            local state = require "unidesk.state"
            state.set("bad key!", 1)
            """)
        defer { r.remove() }
        let result = try r.run("run", ["--no-color", "--allow", "state.set:*", "--report", r.report])
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(result.stderr.contains("recipe.lua:2: bad argument #1 to 'unidesk.state.set' (key 'bad key!' is invalid"), "\(result.summary)")
        #expect(!result.stderr.contains("argument(1,"), "\(result.summary)")
        let report = try String(contentsOfFile: r.report, encoding: .utf8)
        #expect(!report.contains("argument(1,"), "\(report)")
    }

    @Test("an error raised inside the stdlib names the recipe's line")
    func stdlibErrorsPointAtTheRecipe() throws {
        let r = try RecipeRun("""
            local semver = require "unidesk.semver"
            local function newer(a, b)
              local is = semver.lt(a, b)   -- not a tail call: this frame stays on the stack
              return is
            end
            unidesk.step("compare", function()
              local n = newer("1.2.3", "not a version")
              return n
            end)
            """)
        defer { r.remove() }
        let result = try r.run("run", ["--no-color", "--report", r.report])
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(result.stderr.contains("error: recipe.lua:3: bad argument #2 to 'unidesk.semver.compare'"), "\(result.summary)")
        #expect(!result.stderr.contains("stdlib/unidesk/"), "\(result.summary)")
        let report = try String(contentsOfFile: r.report, encoding: .utf8)
        #expect(!report.contains("stdlib/unidesk/") && !report.contains("[C]: in ?"), "\(report)")
        let traceback = ((r.reportJSON?["error"] as? [String: Any])?["traceback"] as? String) ?? ""
        #expect(traceback.contains("recipe.lua:7"), "the traceback keeps the recipe's frames: \(traceback)")
    }
}
