import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData

/// Saved plans in the engine, with files and state only (no servers): what apply compares,
/// what it refuses, and that drift stops every later write. The CLI and the real stack are
/// tested in CLITests (SavedPlan*Tests).
@Suite struct SavedPlanCoreTests {
    static func options(_ t: TempRecipe, _ mode: RunMode, allow: [String], vars: [(String, String)] = []) throws -> EngineOptions {
        var o = EngineOptions()
        o.mode = mode
        o.color = false
        o.timeout = 20
        o.stateDirectory = t.state
        o.vars = vars
        try o.policy.add(allow: allow, deny: [])
        return o
    }

    /// plan --out into the recipe's directory; the plan as apply loads it.
    static func plan(_ t: TempRecipe, allow: [String], vars: [(String, String)] = []) throws -> (RunReport, SavedPlan) {
        var o = try options(t, .plan(offline: false), allow: allow, vars: vars)
        o.planOutPath = t.dir + "-plan.json"
        let report = Engine(options: o, libraries: Libraries.all).run(recipePath: "\(t.dir)/recipe.lua")
        return (report, try SavedPlan.load(path: t.dir + "-plan.json"))
    }

    static func apply(_ t: TempRecipe, _ plan: SavedPlan, allow: [String], vars: [(String, String)]? = nil) throws -> RunReport {
        var o = try options(t, .run, allow: allow, vars: vars ?? plan.vars)
        o.applying = plan
        return Engine(options: o, libraries: Libraries.all).run(recipePath: plan.recipe)
    }

    static func stored(_ t: TempRecipe, _ script: String) throws {
        let other = try TempRecipe(["recipe.lua": script])
        var o = try options(other, .run, allow: ["state.*"])
        o.stateDirectory = t.state
        #expect(Engine(options: o, libraries: Libraries.all).run(recipePath: "\(other.dir)/recipe.lua").exitCode == .ok)
    }

    @Test func applyWithNothingChangedPerformsExactlyThePlannedWrites() throws {
        let t = try TempRecipe(["recipe.lua": """
            local state = require "unidesk.state"
            local v = state.get("app/version")
            state.set("app/version", { tag = unidesk.vars.target, previous = v and v.tag })
            state.set("app/history", { unidesk.vars.target })
            """])
        let (planned, plan) = try Self.plan(t, allow: ["state.*"], vars: [("target", "v2")])
        #expect(planned.exitCode == .ok)
        #expect(plan.writes.map(\.capability) == ["state.set:app/version", "state.set:app/history"])
        #expect(plan.writes.allSatisfy { $0.basis != nil }, "every state write records what it would replace")
        let applied = try Self.apply(t, plan, allow: ["state.*"])
        #expect(applied.exitCode == .ok)
        #expect(applied.apply?.performed == 2)
        #expect(applied.apply?.unreached.isEmpty == true)
        #expect(applied.audit.filter { $0.effect == .write && $0.performed }.map(\.capability) == plan.writes.map(\.capability))
    }

    /// A read that differs stops the run: no write after it, even one the script makes after
    /// catching the drift error; exit 6 with status "drift" in the report and JUnit.
    @Test func driftAtAReadIsStickyEvenWhenCaught() throws {
        let t = try TempRecipe(["recipe.lua": """
            local state = require "unidesk.state"
            local ok, err = pcall(state.get, "app/version")
            state.set("app/version", { tag = "v2" })
            """])
        let (_, plan) = try Self.plan(t, allow: ["state.*"])
        try Self.stored(t, #"require("unidesk.state").set("app/version", { tag = "by hand" })"#)
        let applied = try Self.apply(t, plan, allow: ["state.*"])
        #expect(applied.exitCode == .drift)
        #expect(applied.json["status"]?.stringValue == "drift")
        #expect(applied.audit.filter { $0.effect == .write }.map(\.outcome) == [.drift], "the write after the caught drift was not performed")
        #expect(applied.apply?.drift?["capability"]?.stringValue == "state.get:app/version")
        #expect(applied.apply?.unreached.map(\.capability) == ["state.set:app/version"])
        #expect(applied.junit.contains(#"type="drift""#))
        let value = try String(contentsOfFile: "\(t.state)/state/app/version.json", encoding: .utf8)
        #expect(value.contains("by hand"))
    }

    /// The write's basis: the value it would replace changed since the plan although the
    /// recipe never read it.
    @Test func driftAtAWritesBasis() throws {
        let t = try TempRecipe(["recipe.lua": #"require("unidesk.state").set("app/flag", true)"#])
        let (_, plan) = try Self.plan(t, allow: ["state.*"])
        try Self.stored(t, #"require("unidesk.state").set("app/flag", false)"#)
        let applied = try Self.apply(t, plan, allow: ["state.*"])
        #expect(applied.exitCode == .drift)
        #expect(applied.apply?.drift?["reason"]?.stringValue?.contains("not what the plan saw") == true)
        #expect(applied.apply?.drift?["plan"] == .object([("stored", .null)]))
        #expect(applied.apply?.drift?["now"] == .object([("stored", .bool(false))]))
    }

    /// A write the plan does not contain (the recipe took another path: here on a value
    /// that is not compared, the clock) is refused; a run that ends before the plan's
    /// writes drifts too.
    @Test func aWriteThePlanDoesNotContainAndAnUnreachedOne() throws {
        let t = try TempRecipe(["recipe.lua": """
            local state = require "unidesk.state"
            if unidesk.mode == "plan" then state.set("a", 1) else state.set("b", 1) end
            """])
        let (_, plan) = try Self.plan(t, allow: ["state.*"])
        let applied = try Self.apply(t, plan, allow: ["state.*"])
        #expect(applied.exitCode == .drift)
        #expect(applied.apply?.drift?["reason"]?.stringValue?.contains("does not contain") == true)
        #expect(!FileManager.default.fileExists(atPath: "\(t.state)/state/b.json"))

        let short = try TempRecipe(["recipe.lua": """
            local state = require "unidesk.state"
            state.set("a", 1)
            if unidesk.mode == "plan" then state.set("b", 1) end
            """])
        let (_, plan2) = try Self.plan(short, allow: ["state.*"])
        let applied2 = try Self.apply(short, plan2, allow: ["state.*"])
        #expect(applied2.exitCode == .drift)
        #expect(applied2.apply?.unreached.map(\.capability) == ["state.set:b"])
        #expect(applied2.error?.message.contains("ended before 1 planned effect") == true)
    }

    /// Calls inside unidesk.volatile are compared neither ways: here a read whose value
    /// changed and writes the plan does not have.
    @Test func volatileCallsAreNotCompared() throws {
        let t = try TempRecipe(["recipe.lua": """
            local state = require "unidesk.state"
            local seen = unidesk.volatile(state.get, "clock")
            if unidesk.mode ~= "plan" then unidesk.volatile(state.set, "recovery", true) end
            state.set("app", { ok = true })
            """])
        try Self.stored(t, #"require("unidesk.state").set("clock", 1)"#)
        let (_, plan) = try Self.plan(t, allow: ["state.*"])
        #expect(plan.calls.first?.volatile == true)
        try Self.stored(t, #"require("unidesk.state").set("clock", 2)"#)
        let applied = try Self.apply(t, plan, allow: ["state.*"])
        #expect(applied.exitCode == .ok, "\(applied.error?.message ?? "")")
        #expect(applied.apply?.volatileWrites == ["state.set:recovery"])
    }

    /// Arguments the plan could not know (null, or an unknown result it passed on) are
    /// filled in by the run; every value it knew must be the same.
    @Test func argumentsThePlanKnewMustMatch() {
        let unknown = DataValue.object([("planned", .bool(true)), ("unknown", .bool(true)), ("service", .string("web"))])
        #expect(DriftCheck.covers(.object([("tag", .string("v2")), ("digest", .null)]),
                                  .object([("digest", .string("sha256:1")), ("tag", .string("v2"))])))
        #expect(DriftCheck.covers(.object([("tag", .string("v2"))]), .object([("tag", .string("v2")), ("version", .string("2.0"))])))
        #expect(DriftCheck.covers(.array([unknown]), .array([.object([("id", .string("c1"))])])))
        #expect(!DriftCheck.covers(.object([("tag", .string("v2"))]), .object([("tag", .string("v3"))])))
        #expect(!DriftCheck.covers(.array([.int(1), .int(2)]), .array([.int(1)])))
        #expect(DriftCheck.covers(.int(2), .double(2)))
        #expect(DriftCheck.same(.object([("a", .int(1)), ("b", .int(2))]), .object([("b", .int(2)), ("a", .int(1))])))
    }

    /// What the run wrote covers a later write of the same family to the same scope or one
    /// inside it; the reason of a basis drift names the fields that changed.
    @Test func ownWritesAndChangedFields() {
        #expect(DriftCheck.overlap("demo/*", "demo/web"))
        #expect(DriftCheck.overlap("demo/web", "demo/*"))
        #expect(DriftCheck.overlap("ns/ConfigMap/a", "ns/ConfigMap/a"))
        #expect(!DriftCheck.overlap("ns/ConfigMap/a", "ns/ConfigMap/ab"))
        #expect(!DriftCheck.overlap("demo/*", "demo2/web"))
        #expect(DriftCheck.overlap("shop", "shop/data"))
        #expect(DriftCheck.changedFields(.object([("image", .string("x")), ("registry_digest", .string("a"))]),
                                         .object([("image", .string("x")), ("registry_digest", .string("b"))])) == ["registry_digest"])
    }

    /// Refused before anything runs: other vars, other grants, a changed recipe file, a
    /// plan that failed. Nothing is written in any of these.
    @Test func refusalsBeforeTheFirstEffect() throws {
        let t = try TempRecipe(["recipe.lua": """
            local fs = require "unidesk.fs"
            local state = require "unidesk.state"
            state.set("cfg", fs.read("config.txt"))
            """, "config.txt": "a=1\n"])
        let (_, plan) = try Self.plan(t, allow: ["state.*"], vars: [("x", "1")])
        let otherVars = try Self.apply(t, plan, allow: ["state.*"], vars: [("x", "2")])
        #expect(otherVars.exitCode == .usage)
        #expect(otherVars.error?.message.contains("x: plan '1', now '2'") == true)
        let otherGrants = try Self.apply(t, plan, allow: ["state.set:*"])
        #expect(otherGrants.exitCode == .usage)
        #expect(otherGrants.error?.message.contains("grants in force differ") == true)
        try "a=2\n".write(toFile: "\(t.dir)/config.txt", atomically: true, encoding: .utf8)
        let changedFile = try Self.apply(t, plan, allow: ["state.*"])
        #expect(changedFile.exitCode == .drift)
        #expect(changedFile.error?.message.contains("config.txt changed since the plan") == true)
        #expect(!FileManager.default.fileExists(atPath: "\(t.state)/state/cfg.json"))

        let failing = try TempRecipe(["recipe.lua": #"require("unidesk.state").set("k", 1); error("boom")"#])
        let (failed, failedPlan) = try Self.plan(failing, allow: ["state.*"])
        #expect(failed.exitCode == .recipeFailed)
        let refused = try Self.apply(failing, failedPlan, allow: ["state.*"])
        #expect(refused.exitCode == .usage)
        #expect(refused.error?.message.contains("cannot be applied") == true)
        #expect(!FileManager.default.fileExists(atPath: "\(failing.state)/state/k.json"))
    }

    /// The file's digest: any edit is refused by load, and the digest covers every field.
    @Test func aHandEditedPlanIsRefused() throws {
        let t = try TempRecipe(["recipe.lua": #"require("unidesk.state").set("k", "v")"#])
        _ = try Self.plan(t, allow: ["state.*"])
        let path = t.dir + "-plan.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"state.set:k\"", with: "\"state.set:K\"").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: SavedPlan.FileError.self) { try SavedPlan.load(path: path) }
        do { _ = try SavedPlan.load(path: path) } catch {
            #expect(error.description.contains("changed after unidesk wrote it"))
        }
        try "{\"format\": \"unidesk-plan\", \"format_version\": 1}".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: SavedPlan.FileError.self) { try SavedPlan.load(path: path) }
    }

    /// Secrets: a --var wrapped as a secret is kept only as a salted digest, and the
    /// secret's text is nowhere in the file.
    @Test func secretsNeverEnterThePlanFile() throws {
        let t = try TempRecipe(["recipe.lua": """
            local token = unidesk.secret(unidesk.vars.token)
            require("unidesk.state").set("k", { note = "made with " .. unidesk.vars.token })
            """])
        let (_, plan) = try Self.plan(t, allow: ["state.*"], vars: [("token", "s3cr3t-value")])
        let text = try String(contentsOfFile: t.dir + "-plan.json", encoding: .utf8)
        #expect(!text.contains("s3cr3t-value"))
        #expect(plan.vars.first?.1.hasPrefix("<secret sha256:") == true)
        let applied = try Self.apply(t, plan, allow: ["state.*"], vars: [("token", "s3cr3t-value")])
        #expect(applied.exitCode == .ok, "\(applied.error?.message ?? "")")
        let wrong = try Self.apply(t, plan, allow: ["state.*"], vars: [("token", "other")])
        #expect(wrong.exitCode == .usage)
        #expect(wrong.error?.message.contains("'other'") == false, "the value given is not echoed for a secret var")
        #expect(wrong.error?.message.contains("token: plan '<secret sha256:") == true)
    }
}
