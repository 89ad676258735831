import Foundation
import Testing
import UnideskTestSupport

/// A recipe that reads the digest a tag points at and records it: a new image pushed under
/// the tag between plan and apply is drift at the read, before the state write.
@Suite("Saved plans: registry reads", .serialized)
struct SavedPlanRegistryTests {
    static let recipe = """
        local registry = require "unidesk.registry"
        local state = require "unidesk.state"
        local a = registry.head(unidesk.vars.ref)
        state.set("release", a.digest)
        """

    /// What the state directory holds under "release", read by another run.
    func stored(_ p: PlanRecipe) throws -> String {
        try p.run.dir.write("check.lua", #"print("release=" .. tostring(require("unidesk.state").get("release")))"#)
        let r = try Unidesk.run(["run", "check.lua", "--state-dir", p.run.state], in: p.run.dir.url)
        try #require(r.exitCode == 0, "\(r.summary)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("re-pushing the tag between plan and apply: exit 6 at registry.head, the state write not performed")
    func retaggedBetweenPlanAndApply() throws {
        let registry = try RegistryStack()
        let repository = RegistryStack.uniqueRepository()
        defer { registry.remove(repository, tag: "release") }
        let v1 = try registry.publish(demoTag: "v1", as: repository, tag: "release")
        let p = try PlanRecipe(Self.recipe)
        defer { p.remove() }
        let flags = ["--var", "ref=\(registry.host)/\(repository):release", "--allow", "state.set:release"]

        // Nothing changed in between: applied, the digest the plan saw is recorded.
        #expect(try p.plan(flags).exitCode == 0)
        let same = try p.apply(flags)
        #expect(same.exitCode == 0, "\(same.summary)")
        #expect(p.applied["performed_writes"] as? Int == 1, "\(p.applied)")
        #expect(try stored(p) == "release=\(v1)")

        let plan = try p.plan(flags)
        #expect(plan.exitCode == 0, "\(plan.summary)")
        let v2 = try registry.publish(demoTag: "v2", as: repository, tag: "release")
        try #require(v2 != v1)
        try #require(try stored(p) == "release=\(v1)")

        let apply = try p.apply(flags)
        #expect(apply.exitCode == 6, "\(apply.summary)")
        #expect(p.run.reportJSON?["status"] as? String == "drift")
        let drift = p.applied["drift"] as? [String: Any] ?? [:]
        #expect(drift["capability"] as? String == "registry.head:\(registry.host)/\(repository)", "\(drift)")
        #expect(drift["reason"] as? String == "what it reads changed since the plan", "\(drift)")
        #expect((drift["plan"] as? [String: Any])?["digest"] as? String == v1, "\(drift)")
        #expect((drift["now"] as? [String: Any])?["digest"] as? String == v2, "\(drift)")
        #expect(apply.stderr.contains("  digest: plan saw \"\(v1)\", now \"\(v2)\"\n"), "\(apply.summary)")
        #expect(apply.stderr.contains("Not reached (1 planned effect not performed):\n  - state.set:release (unchanged)\n"), "\(apply.summary)")
        #expect(p.applied["performed_writes"] as? Int == 0, "\(p.applied)")
        #expect(try stored(p) == "release=\(v1)", "the state write was not performed")
    }
}
