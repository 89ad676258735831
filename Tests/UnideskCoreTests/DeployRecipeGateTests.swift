import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData

/// Every deploy recipe takes --var migrations=DIR and runs the migration gate before it
/// touches anything: against the real PostgreSQL, the ownership fixture (42501) stops each
/// one with only the gate's calls made. (compose-consumer and health-gated-upgrade are also
/// run through with a passing gate, against the engine, in their own tests.)
@Suite struct DeployRecipeGateTests {
    static let recipes: [(name: String, files: [String], vars: [(String, String)])] = [
        ("upgrade-base", ["recipe.lua", "base.lua", "deploy/compose.yaml", "deploy/previous/compose.yaml"],
         [("repo", "127.0.0.1:5000/unidesk/demo"), ("head", "v2"), ("base", "v1")]),
        ("quick-lane", ["recipe.lua", "quick.lua", "deploy/compose.yaml"], [("head", "127.0.0.1:5000/unidesk/demo:v2")]),
        ("compose-consumer", ["recipe.lua", "consumer.lua", "deploy/compose.yaml"],
         [("repo", "127.0.0.1:5000/unidesk/demo"), ("commit", "0000000000000000000000000000000000000000")]),
        ("health-gated-upgrade", ["recipe.lua", "upgrade.lua", "deploy/compose.yaml"],
         [("repo", "127.0.0.1:5000/unidesk/demo"), ("target", "v2")]),
    ]

    @Test(arguments: recipes.map(\.name))
    func aFailingMigrationStopsTheDeployBeforeAnythingElse(_ name: String) throws {
        let recipe = Self.recipes.first { $0.name == name }!
        let dir = try DemoProject.recipeCopy(name, files: recipe.files)
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: dir + "-state") }
        try MigrationGateFixtures.install(into: dir, ["migrations": "ownership"])
        var o = EngineOptions()
        o.color = false
        o.timeout = 60
        o.stateDirectory = dir + "-state"
        o.vars = recipe.vars + [("project", "gate-never-deployed")]
        try o.policy.add(allow: ["compose.*", "snapshot.*", "state.*", "registry.*", "http.*"], deny: [])
        try MigrationGateFixtures.enable(&o, migrations: "migrations")
        let r = Engine(options: o, libraries: Libraries.all).run(recipePath: "\(dir)/recipe.lua")
        #expect(r.exitCode == .recipeFailed)
        #expect(r.error?.message.contains("002_users_plan.up.sql line 3: SQLSTATE 42501 must be owner of table users") == true, "\(r.error?.message ?? "")")
        let others = r.audit.filter { !$0.primitive.hasPrefix("unidesk.pg") && !$0.primitive.hasPrefix("unidesk.fs") && !$0.capability.hasPrefix("state.set:alerts/") }
        #expect(others.filter { $0.effect != .localRead }.isEmpty, "only the gate ran: \(others.map(\.capability))")
        guard case .object(let gate)? = r.outputs.first(where: { $0.0 == "migration_gate" })?.1 else { Issue.record("no migration_gate output"); return }
        #expect(gate.first { $0.0 == "ok" }?.1 == .bool(false))
    }
}
