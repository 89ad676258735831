import Foundation
import Testing
@testable import UnideskCore
import UnideskData
import UnideskBindings

/// Verdicts of the writes that need no server (fs.write, state with the files backend),
/// denials in a plan, and what reads return under `plan --offline` (nothing is sent, so no
/// server is needed either).
@Suite struct PlanVerdictTests {
    func outputs(_ r: RunReport) -> [String: DataValue] { Dictionary(uniqueKeysWithValues: r.outputs) }
    func verdicts(_ r: RunReport) -> [Verdict?] { r.audit.filter { $0.effect == .write }.map(\.verdict) }
    func summary(_ r: RunReport) -> PlanSummary { PlanSummary(audit: r.audit, exitCode: r.exitCode) }

    @Test func fsWriteComparesWithTheFileItWouldReplace() throws {
        let t = try TempRecipe(["recipe.lua": """
            local fs = require "unidesk.fs"
            fs.write("out/same.txt", "hello")
            fs.write("out/other.txt", unidesk.mode == "run" and "old" or "newer")
            if unidesk.mode == "plan" then fs.write("out/new.txt", "n") end
            """])
        let first = try t.run(.run, allow: ["fs.write:out/*"])
        #expect(first.exitCode == .ok, "\(first.error?.message ?? "")")
        let plan = try t.run(.plan(offline: false), allow: ["fs.write:out/*"])
        #expect(plan.exitCode == .ok, "\(plan.error?.message ?? "")")
        #expect(verdicts(plan) == [.unchanged, .change(["content: 3 → 5 bytes"]), .create])
        #expect(summary(plan).summaryLine == "Plan: 1 to create, 1 to change, 0 to replace, 0 to delete, 1 unchanged.")
        #expect(!FileManager.default.fileExists(atPath: "\(t.state)/out/new.txt"), "the plan wrote nothing")

        // What the run wrote, planned again: nothing to do.
        let same = try TempRecipe(["recipe.lua": "require('unidesk.fs').write('out/a.txt', 'x')\nrequire('unidesk.fs').write('out/b.txt', 'y')"])
        _ = try same.run(.run, allow: ["fs.write:out/*"])
        let again = try same.run(.plan(offline: false), allow: ["fs.write:out/*"])
        #expect(summary(again).noChanges && summary(again).lines() == ["No changes. 2 planned effects unchanged."], "\(summary(again).lines())")
    }

    @Test func stateWritesShowTheFieldsTheyChange() throws {
        let t = try TempRecipe(["recipe.lua": """
            local state = require "unidesk.state"
            if unidesk.mode == "run" then
              state.set("shop/last-good", { version = "1.4.1", at = "monday" })
              state.set("shop/canonical", "reg-a")
              state.set("shop/gone", 1)
            else
              state.set("shop/last-good", { version = "1.4.2", at = "monday" })
              state.set("shop/canonical", "reg-a")
              state.set("shop/fresh", true)
              state.delete("shop/gone")
              state.delete("shop/never")
            end
            """])
        #expect(try t.run(allow: ["state.*"]).exitCode == .ok)
        let plan = try t.run(.plan(offline: false), allow: ["state.*"])
        #expect(plan.exitCode == .ok, "\(plan.error?.message ?? "")")
        #expect(verdicts(plan) == [.change(["version: \"1.4.1\" → \"1.4.2\""]), .unchanged, .create, .delete, .unchanged])
    }

    @Test func aDenialInAPlanIsListedWithItsGrantAndExits3() throws {
        let t = try TempRecipe(["recipe.lua": """
            local fs = require "unidesk.fs"
            pcall(fs.write, "out/result.txt", "data")
            """])
        let plan = try t.run(.plan(offline: false))
        #expect(plan.exitCode == .denied)
        #expect(plan.audit.first?.grant == "fs.write:out/result.txt")
        let lines = summary(plan).lines()
        #expect(lines.contains("Denied (would need --allow 'fs.write:out/result.txt'):"), "\(lines)")
        #expect(!lines.joined().contains("No changes") && !lines.joined().contains("nothing would change"), "\(lines)")
        // A deny rule is not something a grant fixes: no grant is suggested.
        let ruled = try t.run(.plan(offline: false), allow: ["fs.write:*"], deny: ["fs.write:out/*"])
        #expect(ruled.exitCode == .denied && ruled.audit.first?.grant == nil)
        #expect(summary(ruled).lines().first == "Denied (matches the deny rule 'fs.write:out/*'):")
    }

    @Test func offlineReadsReturnTheDocumentedUnknownValue() throws {
        let t = try TempRecipe(["recipe.lua": """
            local registry = require "unidesk.registry"
            local http = require "unidesk.http"
            local r = registry.head("127.0.0.1:5000/unidesk/app:v1")
            unidesk.output("head", { tostring(r.planned), tostring(r.unknown), tostring(r.exists) })
            if not r.exists then unidesk.output("branch", "not published") end
            local many = registry.head_many({ "127.0.0.1:5000/unidesk/app:v2" })
            unidesk.output("many", { tostring(many[1].unknown), many[1].ref })
            local resp = http.get("http://127.0.0.1:9/health")
            unidesk.output("http", { tostring(resp.unknown), tostring(resp.status) })
            unidesk.output("waited", tostring(http.wait("http://127.0.0.1:9/health", { timeout = 1 }).unknown))
            """])
        let plan = try t.run(.plan(offline: true))
        #expect(plan.exitCode == .ok, "\(plan.error?.message ?? "")")
        let out = outputs(plan)
        #expect(out["head"] == .array([.string("true"), .string("true"), .string("nil")]))
        #expect(out["branch"] == .string("not published"), "r.exists on the unknown value is falsy, not a crash")
        #expect(out["many"] == .array([.string("true"), .string("127.0.0.1:5000/unidesk/app:v2")]))
        #expect(out["http"] == .array([.string("true"), .string("nil")]))
        #expect(out["waited"] == .string("true"), "http.wait returns at once: there is nothing to poll")
        #expect(plan.audit.allSatisfy { $0.verdict == .unknown }, "\(plan.audit.map(\.verdict))")
        let lines = summary(plan).lines()
        #expect(lines.contains("  ? registry.head:127.0.0.1:5000/unidesk/app  (2 calls)"), "\(lines)")
        #expect(lines.last == "Plan: 0 to create, 0 to change, 0 to replace, 0 to delete, 0 unchanged, 4 unknown reads.", "\(lines)")
    }

    /// The migration gate compares the files with production's applied migrations; offline
    /// that read is unknown, and the gate must check the files without crashing on it.
    @Test func theMigrationGateChecksFilesOfflineWithoutProduction() throws {
        let t = try TempRecipe([
            "migrations/001_a.up.sql": "CREATE TABLE a (id int);\n",
            "recipe.lua": """
                local migrate = require "unidesk.migrate"
                local r = migrate.smoke{ dir = "migrations", admin_dsn = "postgresql://admin@127.0.0.1:1/postgres", owner_role = "o", app_role = "a",
                                         applied = { dsn = "postgresql://prod@127.0.0.1:1/prod" } }
                unidesk.output("gate", { tostring(r.ok), tostring(r.planned), r.migrations })
                """,
        ])
        let plan = try t.run(.plan(offline: true))
        #expect(plan.exitCode == .ok, "\(plan.error?.message ?? "")")
        #expect(outputs(plan)["gate"] == .array([.string("true"), .string("true"), .int(1)]))
        #expect(plan.audit.filter(\.planned).map(\.verdict) == [.unknown, .unknown], "connect and the query, both not performed")
    }

    @Test func snapshotVerdictsFollowTheLastGood() throws {
        let t = try TempRecipe(["data/f.txt": "hi\n", "recipe.lua": """
            local snapshot = require "unidesk.snapshot"
            local data = unidesk.vars.data
            if unidesk.mode == "run" then snapshot.take{ app = "a", volumes = { data } } return end
            snapshot.take{ app = "a", volumes = { data } }
            snapshot.restore{ app = "a" }
            snapshot.drop{ app = "a" }
            """])
        var o = EngineOptions()
        o.color = false
        o.stateDirectory = t.state
        o.vars = [("data", "\(t.dir)/data")]
        try o.policy.add(allow: ["snapshot.*", "snapshot.*:a//*"], deny: [])
        func run(_ mode: RunMode) -> RunReport {
            o.mode = mode
            return Engine(options: o, libraries: Libraries.all).run(recipePath: "\(t.dir)/recipe.lua")
        }
        let none = run(.plan(offline: false))
        #expect(none.exitCode == .ok, "\(none.error?.message ?? "")")
        #expect(verdicts(none) == [.create, .unverified, .unchanged], "no snapshot yet: nothing to restore or drop")
        #expect(run(.run).exitCode == .ok)
        let one = run(.plan(offline: false))
        #expect(verdicts(one) == [.create, .replace, .delete])
    }
}
