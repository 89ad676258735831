import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData
import UnideskProcess

/// The recipes under recipes/ with a saved plan, unchanged, each set up as its own test runs
/// it for real: `plan --out` then `apply` exits 0 and performs exactly the writes the plan
/// listed, with nothing changed in between (no false drift).
@Suite(.serialized) struct RecipesSavedPlanTests {
    func options(state: String, vars: [(String, String)], allow: [String], timeout: Double = 240) throws -> EngineOptions {
        var o = EngineOptions()
        o.color = false
        o.timeout = timeout
        o.stateDirectory = state
        o.vars = vars
        o.environment["UNIDESK_SNAPSHOT_DIR"] = nil
        try o.policy.add(allow: allow, deny: [])
        return o
    }

    @Test func desiredState() throws {
        let box = try RecipeSandbox("desired-state", files: ["recipe.lua", "rows.lua", "desired.yaml"])
        defer { box.remove() }
        let round = try SavedPlanRound.run(try options(state: box.state, vars: [], allow: ["fs.write:desired-state/*"]), recipe: "\(box.dir)/recipe.lua")
        round.expectExactlyThePlan()
        #expect(round.planned == ["fs.write:desired-state/summary.json"])
        let doc = try JSON.decode(String(contentsOfFile: "\(box.state)/desired-state/summary.json", encoding: .utf8))
        #expect(doc["problems"] == .array([.string("mdtodo/dev runs 9c0ffee, desired a41d9e0")]))
    }

    @Test func safetyGateProceeds() throws {
        let box = try RecipeSandbox("safety-gate", files: ["recipe.lua", "gate.lua", "fixtures/notes-1.4.3.md"])
        defer { box.remove() }
        let vars = [("app", "shop"), ("current", "1.4.2+15.4"), ("target", "1.4.3+15.4"), ("notes", "fixtures/notes-1.4.3.md")]
        let round = try SavedPlanRound.run(try options(state: box.state, vars: vars, allow: ["state.set:alerts/*"]), recipe: "\(box.dir)/recipe.lua")
        round.expectExactlyThePlan()
        #expect(round.planned.isEmpty)
        #expect(round.apply.output("decision") == .string("proceed"))
        // The files it read are the plan's: the recipe, its module, the release notes.
        #expect(Set(round.saved.files.map(\.path)) == ["recipe.lua", "gate.lua", "fixtures/notes-1.4.3.md"], "\(round.saved.files.map(\.path))")
    }

    /// The smoke's scratch database is volatile by design: the plan has no write, apply runs
    /// the smoke for real and lists its statements as performed outside the plan.
    @Test func migrationGate() throws {
        let migrations = try FileManager.default.contentsOfDirectory(atPath: "\(repositoryRoot)/recipes/migration-gate/fixtures/clean/migrations")
        let box = try RecipeSandbox("migration-gate", files: ["recipe.lua", "fixtures/baseline.sql"] + migrations.map { "fixtures/clean/migrations/\($0)" })
        defer { box.remove() }
        var o = try options(state: box.state, vars: [("fixture", "clean")], allow: ["pg.exec:*"], timeout: 60)
        o.policy.secretEnv = ["MIGRATE_ADMIN_DSN"]
        o.environment = ["MIGRATE_ADMIN_DSN": try stackValue("UNIDESK_PG_ADMIN_DSN")]
        let round = try SavedPlanRound.run(o, recipe: "\(box.dir)/recipe.lua")
        round.expectExactlyThePlan()
        #expect(round.planned.isEmpty)
        let gate = round.apply.output("migration_gate")
        #expect(gate?["ok"] == .bool(true) && gate?["applied"] == .int(3), "\(String(describing: gate))")
        #expect(round.apply.apply?.volatileWrites.isEmpty == false, "the smoke ran, outside the plan")
    }

    @Test func artifactLane() throws {
        let v1 = try stackValue("UNIDESK_DEMO_COMMIT_V1"), v2 = try stackValue("UNIDESK_DEMO_COMMIT_V2")
        try DemoProject.publish("v2", as: v2)
        let demo = try DemoProject(prefix: "spl", services: ["web"])
        defer { demo.down() }
        let box = try RecipeSandbox("artifact-lane", files: ["recipe.lua", "lane.lua"])
        defer { box.remove() }
        try """
            services:
              - name: web
                image: \(demo.repo)
                commit: \(v2)
                envs:
                  dev: { health: "http://127.0.0.1:\(demo.port)/health" }
              - name: worker
                image: \(demo.repo)
                commit: "0000000000000000000000000000000000000000"
            """.write(toFile: "\(box.dir)/desired.yaml", atomically: true, encoding: .utf8)
        let round = try SavedPlanRound.run(try options(state: box.state, vars: [], allow: ["fs.write:artifact-lane/*"]), recipe: "\(box.dir)/recipe.lua")
        round.expectExactlyThePlan()
        #expect(round.planned == ["fs.write:artifact-lane/rows.json"])
        // Its reads (the registry's digests, the running commit) were compared and the same.
        #expect(round.saved.calls.contains { $0.primitive == "unidesk.registry.head" } && round.saved.calls.contains { $0.primitive == "unidesk.http.get" })
        guard case .array(let rows)? = round.apply.output("rows"), rows.count == 2 else { Issue.record("no rows"); return }
        #expect(rows[0]["runtimeCommit"]?["dev"] == .string(v1) && rows[0]["recommendedAction"] == .string("deploy to dev"))
        #expect(FileManager.default.fileExists(atPath: "\(box.state)/artifact-lane/rows.json"))
    }

    @Test func upgradeBase() throws {
        let demo = try DemoProject(prefix: "spb", start: false)
        defer { demo.down() }
        let box = try RecipeSandbox("upgrade-base", files: UpgradeBaseRecipeTests.files)
        defer { box.remove() }
        let vars = [("repo", demo.repo), ("app", demo.name), ("project", demo.name), ("port", "\(demo.port)"), ("branch_tip", "v1"), ("head", "v2")]
        let round = try SavedPlanRound.run(try options(state: box.state, vars: vars, allow: ["compose.*", "state.*"]), recipe: "\(box.dir)/recipe.lua")
        round.expectExactlyThePlan()
        #expect(round.planned == ["compose.up:\(demo.name)/*", "compose.up:\(demo.name)/*", "compose.up:\(demo.name)/*", "state.set:\(demo.name)/last-green"])
        let ps = try demo.compose(["ps", "-a", "--format", "{{.Service}} {{.Image}} {{.State}}"]).stdoutText
        #expect(ps.split(separator: "\n").map(String.init).sorted() == ["web \(demo.repo):v2 running", "worker \(demo.repo):v1 running"], "\(ps)")
        #expect(try box.stateValue("\(demo.name)/last-green") == .object([("version", .string("v2"))]))
    }
}
