import Foundation
import Testing
@testable import UnideskCore
import UnideskData

/// unidesk.pipeline and unidesk.alert as recipes use them.
@Suite struct PipelineAndAlertTests {
    func outputs(_ r: RunReport) -> [String: DataValue] { Dictionary(uniqueKeysWithValues: r.outputs) }

    @Test func retriesSkipsAlwaysStepsAndStepTimeouts() throws {
        let t = try TempRecipe(["recipe.lua": """
            local pipeline = require "unidesk.pipeline"
            local time = require "unidesk.time"
            local tries = 0
            local r = pipeline.run { name = "upgrade", steps = {
                { name = "flaky", retries = 2, backoff = 0.05, run = function() tries = tries + 1; if tries < 3 then error("not yet") end end },
                { name = "slow", timeout = 0.3, run = function() time.sleep(5) end },
                { name = "never", run = function() error("must not run") end },
              }, always = {
                { name = "cleanup", run = function(report) unidesk.output("seen_failed", report.failed_step) end },
              } }
            local s = {}
            for _, step in ipairs(r.steps) do s[#s + 1] = step.name .. ":" .. step.status .. ":" .. step.attempts end
            unidesk.output("steps", s)
            unidesk.output("ok", r.ok)
            unidesk.output("slow_seconds", r.steps[2].seconds < 2)
            """])
        let r = try t.run()
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = outputs(r)
        #expect(out["steps"] == .array(["flaky:ok:3", "slow:timeout:1", "never:skipped:0", "cleanup:ok:1"].map { .string($0) }))
        #expect(out["ok"] == .bool(false) && out["seen_failed"] == .string("slow"))
        #expect(out["slow_seconds"] == .bool(true), "the step's deadline cut the sleep short")
        // The run's report: one step per pipeline step, a retried one with its attempts.
        #expect(r.steps.map(\.name) == ["flaky", "slow", "never", "cleanup"])
        #expect(r.steps.map(\.status) == [.ok, .failed, .skipped, .ok])
        #expect(r.steps[0].attempts.map(\.status) == [.failed, .failed, .ok])
        #expect(r.steps[0].attempts.first?.error?.contains("not yet") == true)
        #expect(r.steps[1].errorKind == "timeout", "the step itself failed as a timeout: \(r.steps[1])")
        #expect(r.steps[2].skipReason == "an earlier step failed (slow)")
    }

    @Test func alertsGoToStateOutputsAndTheLog() throws {
        let t = try TempRecipe(["recipe.lua": """
            local alert = require "unidesk.alert"
            alert.raise { kind = "rolled_back", app = "shop", attempted = "2.0.0+16.1", last_good = "1.4.2+15.4", recovered = true, notes = "health check failed" }
            local all = alert.list("shop")
            unidesk.output("stored", { #all, all[1].kind, all[1].last_good, tostring(all[1].recovered) })
            local ok, e = pcall(alert.raise, { kind = "x" })
            unidesk.output("misuse", tostring(e))
            """])
        let r = try t.run(allow: ["state.*"])
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = outputs(r)
        #expect(out["stored"] == .array([.int(1), .string("rolled_back"), .string("1.4.2+15.4"), .string("true")]))
        guard case .array(let alerts)? = out["alerts"] else { Issue.record("no alerts output"); return }
        #expect(alerts.count == 1 && alerts[0]["notes"] == .string("health check failed"))
        #expect(out["misuse"]?.stringValue?.contains("field 'app' is required") == true)
    }
}
