import Foundation
import Testing

/// Plans `unidesk apply` refuses before the recipe runs (exit 2), and what a plan file
/// never holds: secrets.
@Suite("CLI saved plans: refused plans and secrets")
struct SavedPlanLocalRefusalTests {
    static let grants = ["--allow", "state.*"]
    static let writes = """
        local state = require "unidesk.state"
        state.set("a", "new")
        if unidesk.vars.fail then error("the desired state is broken") end
        """

    @Test("a plan that failed (exit 1) is written, marked, and refused by apply with exit 2")
    func failedPlan() throws {
        let r = try RecipeRun(Self.writes)
        defer { r.remove() }
        let plan = try r.planOut(Self.grants + ["--var", "fail=1"])
        #expect(plan.exitCode == 1, "\(plan.summary)")
        #expect(plan.stderr.contains("Saved the plan to plan.json, but it cannot be applied: the plan run ended with failed (exit 1)"), "\(plan.summary)")
        #expect(r.planJSON?["status"] as? String == "failed" && r.planJSON?["exit_code"] as? Int == 1)
        let show = try r.show()
        #expect(show.exitCode == 0 && show.stdout.contains("This plan cannot be applied: the plan run ended with failed (exit 1)"), "\(show.summary)")

        let apply = try r.apply(Self.grants + ["--var", "fail=1"])
        #expect(apply.exitCode == 2, "\(apply.summary)")
        #expect(apply.stderr.contains("error: this plan cannot be applied: the plan run ended with failed (exit 1): what a run would do after that is not in it; fix the recipe or the grants and plan again"),
                "\(apply.summary)")
        #expect(r.stored("a") == nil, "nothing ran")
    }

    @Test("a plan made with --offline is written but refused by apply with exit 2")
    func offlinePlan() throws {
        let r = try RecipeRun(Self.writes)
        defer { r.remove() }
        let plan = try r.planOut(Self.grants + ["--offline"])
        #expect(plan.exitCode == 0, "\(plan.summary)")
        #expect(r.planJSON?["offline"] as? Bool == true)
        let apply = try r.apply(Self.grants)
        #expect(apply.exitCode == 2, "\(apply.summary)")
        #expect(apply.stderr.contains("error: this plan cannot be applied: it was made with --offline: its reads were not performed, so there is nothing to compare the world with; plan without --offline"),
                "\(apply.summary)")
        #expect(r.stored("a") == nil, "nothing ran")
    }

    @Test("a var wrapped in unidesk.secret never reaches the plan; apply needs it again, and the same")
    func secretVar() throws {
        let token = "s3cr3t-\(UUID().uuidString.prefix(8))"
        let r = try RecipeRun("""
            local state = require "unidesk.state"
            local token = unidesk.secret(unidesk.vars.token)
            state.set("note", "token " .. unidesk.vars.token)
            state.set("user", unidesk.vars.user)
            """)
        defer { r.remove() }
        let vars = ["--var", "token=\(token)", "--var", "user=alice"]
        let plan = try r.planOut(Self.grants + vars)
        #expect(plan.exitCode == 0, "\(plan.summary)")
        #expect(!r.planText.isEmpty && !r.planText.contains(token), "the secret is in plan.json")
        #expect(!plan.stderr.contains(token) && !plan.stdout.contains(token))
        let planVars = r.planJSON?["vars"] as? [String: String] ?? [:]
        #expect(planVars["user"] == "alice" && planVars["token"]?.hasPrefix("<secret sha256:") == true, "\(planVars)")

        let bare = try r.apply(Self.grants)
        #expect(bare.exitCode == 2, "\(bare.summary)")
        #expect(bare.stderr.contains("the plan's var 'token' held a secret, which the plan keeps only as a digest: give every --var again, as for the plan"),
                "\(bare.summary)")
        let other = try r.apply(Self.grants + ["--var", "token=another-\(token)", "--var", "user=alice"])
        #expect(other.exitCode == 2, "\(other.summary)")
        #expect(other.stderr.contains("the vars differ from the plan's: token: plan '<secret sha256:") && other.stderr.contains("now another value"),
                "\(other.summary)")
        #expect(!other.stderr.contains(token), "neither value is printed")
        #expect(r.stored("note") == nil && r.stored("user") == nil, "nothing ran")

        let same = try r.apply(Self.grants + vars)
        #expect(same.exitCode == 0, "\(same.summary)")
        #expect(r.stored("user") == "\"alice\"" && r.stored("note") == "\"token \(token)\"")
        #expect(!same.stderr.contains(token))
    }
}
