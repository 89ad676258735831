import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData
import UnideskProcess

/// The recipes that deploy and recover, with a saved plan, against the real engine: a good
/// version is applied exactly as planned; a bad one (its health check fails only in a run)
/// gets the recipe's recovery, which no plan can contain and which runs inside
/// unidesk.volatile: apply performs it (the run fails, exit 1) instead of refusing it as drift.
@Suite(.serialized) struct RecipesSavedPlanRecoveryTests {
    func options(state: String, vars: [(String, String)], allow: [String]) throws -> EngineOptions {
        var o = EngineOptions()
        o.color = false
        o.timeout = 240
        o.stateDirectory = state
        o.vars = vars
        o.environment["UNIDESK_SNAPSHOT_DIR"] = nil
        try o.policy.add(allow: allow, deny: [])
        return o
    }

    /// The demo's upgrade (scripts/demo): broken is rolled back with its data, then v2 (with
    /// the migration gate first) is applied as planned.
    @Test func healthGatedUpgrade() throws {
        let rig = try HealthGatedUpgradeTests.Rig(prefix: "sph", order: "order-42")
        defer { rig.remove() }
        try MigrationGateFixtures.install(into: rig.recipeDir, ["good": "clean"])
        let v1 = try stackValue("UNIDESK_DEMO_VERSION_V1"), v2 = try stackValue("UNIDESK_DEMO_VERSION_V2")
        func upgrade(to tag: String, migrations: String? = nil) throws -> EngineOptions {
            var o = try options(state: rig.state, vars: [("repo", rig.demo.repo), ("target", tag), ("port", "\(rig.demo.port)"), ("project", rig.project),
                                                         ("app", rig.project), ("timeout", "20")], allow: ["compose.*", "snapshot.*", "state.*"])
            if let migrations { try MigrationGateFixtures.enable(&o, migrations: migrations) }
            return o
        }

        let broken = try SavedPlanRound.run(try upgrade(to: "broken"), recipe: "\(rig.recipeDir)/recipe.lua")
        #expect(broken.apply.exitCode == .recipeFailed, "\(broken.apply.exitCode) \(broken.apply.error?.message ?? "")")
        #expect(broken.apply.error?.message.contains("upgrade to broken rolled back") == true, "\(broken.apply.error?.message ?? "")")
        #expect(broken.apply.apply?.drift == nil, "the rollback is not drift: \(String(describing: broken.apply.apply?.json))")
        // As planned up to the recreate, which was attempted (its new container never became
        // healthy); the rest of the plan was not reached.
        #expect(broken.performed == Array(broken.planned.prefix(3)), "\(broken.performed)")
        #expect(broken.apply.audit.contains { $0.capability == "compose.recreate:\(rig.project)/web" && !$0.volatile && $0.outcome == .error })
        #expect(broken.apply.apply?.unreached.map(\.capability) == Array(broken.planned.suffix(2)))
        #expect(broken.apply.apply?.volatileWrites.contains("snapshot.restore:\(rig.project)/\(rig.project)_data") == true,
                "\(String(describing: broken.apply.apply?.volatileWrites))")
        #expect(try rig.deployed() == v1, "the prior version runs again")
        #expect(try rig.data() == "order-42", "data written before the upgrade survives")

        let good = try SavedPlanRound.run(try upgrade(to: "v2", migrations: "good"), recipe: "\(rig.recipeDir)/recipe.lua")
        good.expectExactlyThePlan()
        #expect(good.planned.count == 6, "\(good.planned)")
        #expect(try rig.deployed() == v2)
        #expect(try rig.data() == "order-42")
        let lastGood = try JSON.decode(String(contentsOfFile: "\(rig.state)/state/\(rig.project)/last-good.json", encoding: .utf8))
        let digest2 = try stackValue("UNIDESK_DEMO_DIGEST_V2")
        #expect(lastGood["tag"] == .string("v2") && lastGood["digest"] == .string(digest2))
    }

    @Test func composeConsumer() throws {
        let v2 = try stackValue("UNIDESK_DEMO_COMMIT_V2"), broken = try stackValue("UNIDESK_DEMO_COMMIT_BROKEN")
        try DemoProject.publish("v2", as: v2)
        try DemoProject.publish("broken", as: broken)
        let demo = try DemoProject(prefix: "spc", services: ["web"])
        defer { demo.down() }
        let box = try RecipeSandbox("compose-consumer", files: ["recipe.lua", "consumer.lua", "deploy/compose.yaml"])
        defer { box.remove() }
        func deploy(_ commit: String) throws -> EngineOptions {
            try options(state: box.state, vars: [("repo", demo.repo), ("commit", commit), ("port", "\(demo.port)"), ("project", demo.name), ("timeout", "15")],
                        allow: ["compose.*"])
        }
        func running() throws -> String? { (try? JSON.decode(bytes: try demo.get("/health")))?["deploy"]?["commit"]?.stringValue }

        let good = try SavedPlanRound.run(try deploy(v2), recipe: "\(box.dir)/recipe.lua")
        good.expectExactlyThePlan()
        #expect(good.planned == ["compose.recreate:\(demo.name)/web"])
        let digest2 = try stackValue("UNIDESK_DEMO_DIGEST_V2")
        #expect(good.apply.output("deploy")?["digest"] == .string(digest2))
        #expect(try running() == v2)

        let bad = try SavedPlanRound.run(try deploy(broken), recipe: "\(box.dir)/recipe.lua")
        #expect(bad.apply.exitCode == .recipeFailed, "\(bad.apply.exitCode) \(bad.apply.error?.message ?? "")")
        #expect(bad.apply.error?.message.contains("the previous digest runs again") == true, "\(bad.apply.error?.message ?? "")")
        // The planned recreate was attempted (the broken container never became healthy).
        #expect(bad.apply.apply?.drift == nil && bad.apply.apply?.performed == 1, "\(String(describing: bad.apply.apply?.json))")
        #expect(bad.apply.apply?.volatileWrites == ["compose.recreate:\(demo.name)/web"])
        #expect(try running() == v2, "v2 runs again after the broken build failed")
    }

    @Test func quickLanePassesAndFails() throws {
        let lane = QuickLaneRecipeTests()
        let demo = try DemoProject(prefix: "spq")
        defer { demo.down() }
        let box = try RecipeSandbox("quick-lane", files: QuickLaneRecipeTests.files)
        defer { box.remove() }
        let id = try lane.warmCanonical(demo, box)
        let volume = "\(demo.name)_data"
        let knownGoodFiles = try volumeFiles(volume)
        func head(_ tag: String) throws -> EngineOptions {
            try options(state: box.state, vars: lane.vars(demo) + [("head", "\(demo.repo):\(tag)")], allow: ["compose.*", "snapshot.*"])
        }

        let pass = try SavedPlanRound.run(try head("v2"), recipe: "\(box.dir)/recipe.lua")
        pass.expectExactlyThePlan()
        #expect(pass.planned == ["compose.up:\(demo.name)/*", "compose.down:\(demo.name)/*"])
        #expect(pass.apply.output("quick_lane")?["passed"] == .bool(true))
        #expect(try engineLeftovers(project: demo.name).containers.isEmpty, "undeployed")
        #expect(try lane.knownGood(demo, box) == id)

        let fail = try SavedPlanRound.run(try head("broken"), recipe: "\(box.dir)/recipe.lua")
        #expect(fail.apply.exitCode == .recipeFailed, "\(fail.apply.exitCode) \(fail.apply.error?.message ?? "")")
        #expect(fail.apply.error?.message.contains("known-good \(id) restored") == true, "\(fail.apply.error?.message ?? "")")
        #expect(fail.apply.apply?.drift == nil, "\(String(describing: fail.apply.apply?.json))")
        #expect(fail.apply.apply?.volatileWrites == ["compose.stop:\(demo.name)/*", "snapshot.restore:\(demo.name)/\(volume)", "compose.down:\(demo.name)/*"],
                "\(String(describing: fail.apply.apply?.volatileWrites))")
        let after = try volumeFiles(volume)
        let changed = Set(after.keys).union(knownGoodFiles.keys).filter { after[$0] != knownGoodFiles[$0] }
        #expect(changed.isEmpty, "the known-good's bytes are back, but these differ: \(changed)")
        #expect(try engineLeftovers(project: demo.name).containers.isEmpty, "undeployed")
    }

    /// The cold path: the base deployed, stopped, snapshotted and kept as the canonical, then
    /// the head on it: writes to one project one after the other (up, stop, up, down).
    @Test func quickLaneColdPath() throws {
        let lane = QuickLaneRecipeTests()
        let demo = try DemoProject(prefix: "spk", start: false)
        defer { demo.down() }
        let box = try RecipeSandbox("quick-lane", files: QuickLaneRecipeTests.files)
        defer { box.remove() }
        let o = try options(state: box.state, vars: lane.vars(demo) + [("head", "\(demo.repo):v2"), ("base", "\(demo.repo):v1")],
                            allow: ["compose.*", "snapshot.*", "state.set:*/canonical"])
        let cold = try SavedPlanRound.run(o, recipe: "\(box.dir)/recipe.lua")
        cold.expectExactlyThePlan()
        #expect(cold.planned.count == 6, "\(cold.planned)")
        #expect(cold.apply.output("quick_lane")?["path"] == .string("cold") && cold.apply.output("quick_lane")?["passed"] == .bool(true))
        #expect(try box.stateValue("\(demo.name)/canonical") != nil)
        #expect(try lane.knownGood(demo, box) != nil)
    }
}
