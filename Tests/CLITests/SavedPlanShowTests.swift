import Foundation
import Testing

/// `unidesk show plan.json` as a reviewer and a tool read it: one plan with a create, a
/// change and an unchanged write.
@Suite("CLI saved plans: show")
struct SavedPlanShowTests {
    static let grants = ["--allow", "state.*"]

    /// b is "old" and c "same" before the plan: a is created, b changed, c unchanged.
    func planned() throws -> RecipeRun {
        let r = try RecipeRun("""
            local state = require "unidesk.state"
            state.set("a", "new")
            state.set("b", "changed")
            state.set("c", "same")
            """)
        try r.runOther("setup.lua", #"local s = require("unidesk.state"); s.set("b", "old"); s.set("c", "same")"#, Self.grants)
        let plan = try r.planOut(Self.grants)
        #expect(plan.exitCode == 0, "\(plan.summary)")
        return r
    }

    @Test("--format markdown: the counts and one table row per effect, unchanged included")
    func markdown() throws {
        let r = try planned()
        defer { r.remove() }
        let show = try r.show(["--format", "markdown"])
        #expect(show.exitCode == 0, "\(show.summary)")
        #expect(show.stdout.hasPrefix("### unidesk plan: `recipe.lua`\n\n**Plan: 1 to create, 1 to change, 0 to replace, 0 to delete, 1 unchanged.**\n"), "\(show.summary)")
        #expect(show.stdout.contains("""
            | | Effect | Target | Details |
            |---|---|---|---|
            | + | create | `state.set:a` |  |
            | ~ | change | `state.set:b` | value: "old" → "changed" |
            | = | unchanged | `state.set:c` |  |

            """), "\(show.summary)")
        #expect(show.stdout.contains("plan digest `\(r.planJSON?["digest"] as? String ?? "?")`"), "\(show.summary)")
    }

    @Test("--format json: parses, with the verdicts, the changes and the counts")
    func json() throws {
        let r = try planned()
        defer { r.remove() }
        let show = try r.show(["--format", "json"])
        #expect(show.exitCode == 0, "\(show.summary)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any], "\(show.summary)")
        #expect(doc["applicable"] as? Bool == true && doc["no_changes"] as? Bool == false && doc["status"] as? String == "ok")
        #expect(doc["plan_digest"] as? String == r.planJSON?["digest"] as? String)
        let effects = doc["effects"] as? [[String: Any]] ?? []
        #expect(effects.map { $0["capability"] as? String ?? "" } == ["state.set:a", "state.set:b", "state.set:c"], "\(effects)")
        #expect(effects.map { $0["verdict"] as? String ?? "" } == ["create", "change", "unchanged"], "\(effects)")
        #expect(effects[1]["changes"] as? [String] == [#"value: "old" → "changed""#], "\(effects)")
        let summary = doc["summary"] as? [String: Int] ?? [:]
        #expect(summary["create"] == 1 && summary["change"] == 1 && summary["unchanged"] == 1 && summary["delete"] == 0, "\(summary)")
    }
}
