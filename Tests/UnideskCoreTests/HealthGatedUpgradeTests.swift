import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData
import UnideskProcess

/// recipes/health-gated-upgrade against the real engine: an upgrade whose new version never
/// becomes healthy is rolled back with its data intact and an alert; then one that succeeds.
@Suite(.serialized) struct HealthGatedUpgradeTests {
    @Test func aFailedUpgradeRollsBackWithItsDataAndAGoodOneCommits() throws {
        let demo = try DemoProject(prefix: "hgu")
        defer { demo.down() }
        let (project, port, repo) = (demo.name, demo.port, demo.repo)
        // Data the users wrote before the upgrade.
        let put = try Command.run(["curl", "-sf", "-X", "PUT", "--data-binary", "order-42", "http://127.0.0.1:\(port)/data/orders"], environment: demo.environment, timeout: 30)
        try #require(put.status == 0, "\(put.stderrTail())")
        let recipeDir = try DemoProject.recipeCopy("health-gated-upgrade", files: ["recipe.lua", "upgrade.lua", "deploy/compose.yaml"])
        defer { try? FileManager.default.removeItem(atPath: recipeDir) }
        let state = recipeDir + "-state"
        defer { try? FileManager.default.removeItem(atPath: state) }
        func upgrade(to tag: String) throws -> RunReport {
            var o = EngineOptions()
            o.color = false
            o.timeout = 240
            o.stateDirectory = state
            o.vars = [("repo", repo), ("target", tag), ("port", "\(port)"), ("project", project), ("app", project), ("timeout", "20")]
            try o.policy.add(allow: ["compose.*", "snapshot.*", "state.*"], deny: [])
            return Engine(options: o, libraries: Libraries.all).run(recipePath: "\(recipeDir)/recipe.lua")
        }
        func data() throws -> String { String(decoding: try demo.get("/data/orders"), as: UTF8.self) }
        func deployed() throws -> String { (try? JSON.decode(bytes: try demo.get("/health")))?["deploy"]?["version"]?.stringValue ?? "?" }

        let failed = try upgrade(to: "broken")
        #expect(failed.exitCode == .recipeFailed)
        #expect(failed.error?.message.contains("upgrade to broken rolled back") == true, "\(failed.error?.message ?? "")")
        let v1 = try stackValue("UNIDESK_DEMO_VERSION_V1"), v2 = try stackValue("UNIDESK_DEMO_VERSION_V2")
        let digest2 = try stackValue("UNIDESK_DEMO_DIGEST_V2")
        #expect(try deployed() == v1, "the prior version runs again")
        #expect(try data() == "order-42", "data written before the upgrade survives")
        guard case .array(let alerts)? = failed.outputs.first(where: { $0.0 == "alerts" })?.1 else { Issue.record("no alert"); return }
        #expect(alerts.first?["kind"] == .string("rolled_back") && alerts.first?["recovered"] == .bool(true))
        #expect(failed.steps.map(\.name).contains("roll back to \(v1)"))

        let good = try upgrade(to: "v2")
        #expect(good.exitCode == .ok, "\(good.error?.message ?? "")")
        #expect(try deployed() == v2)
        #expect(try data() == "order-42")
        let lastGood = try JSON.decode(String(contentsOfFile: "\(state)/state/\(project)/last-good.json", encoding: .utf8))
        #expect(lastGood["tag"] == .string("v2") && lastGood["digest"] == .string(digest2))
        let worker = try demo.compose(["ps", "--format", "{{.Service}} {{.State}}"]).stdoutText
        #expect(worker.contains("worker running"), "the other service is started again: \(worker)")
    }
}

extension HealthGatedUpgradeTests {
    /// --var migrations=: the migration gate runs first, against the real PostgreSQL. A
    /// migration that fails as the deploy role (42501) holds the upgrade with nothing stopped,
    /// snapshotted or deployed; a clean set lets it go on.
    @Test func aMigrationThatFailsAsTheDeployRoleHoldsTheUpgrade() throws {
        let demo = try DemoProject(prefix: "hgm")
        defer { demo.down() }
        let (project, port, repo) = (demo.name, demo.port, demo.repo)
        let put = try Command.run(["curl", "-sf", "-X", "PUT", "--data-binary", "order-7", "http://127.0.0.1:\(port)/data/orders"], environment: demo.environment, timeout: 30)
        try #require(put.status == 0, "\(put.stderrTail())")
        let recipeDir = try DemoProject.recipeCopy("health-gated-upgrade", files: ["recipe.lua", "upgrade.lua", "deploy/compose.yaml"])
        defer { try? FileManager.default.removeItem(atPath: recipeDir) }
        try MigrationGateFixtures.install(into: recipeDir, ["bad": "ownership", "good": "clean"])
        let state = recipeDir + "-state"
        defer { try? FileManager.default.removeItem(atPath: state) }
        func upgrade(to tag: String, migrations: String) throws -> RunReport {
            var o = EngineOptions()
            o.color = false
            o.timeout = 240
            o.stateDirectory = state
            o.vars = [("repo", repo), ("target", tag), ("port", "\(port)"), ("project", project), ("app", project), ("timeout", "20")]
            try o.policy.add(allow: ["compose.*", "snapshot.*", "state.*"], deny: [])
            try MigrationGateFixtures.enable(&o, migrations: migrations)
            return Engine(options: o, libraries: Libraries.all).run(recipePath: "\(recipeDir)/recipe.lua")
        }
        func deployed() throws -> String { (try? JSON.decode(bytes: try demo.get("/health")))?["deploy"]?["version"]?.stringValue ?? "?" }
        let v1 = try stackValue("UNIDESK_DEMO_VERSION_V1"), v2 = try stackValue("UNIDESK_DEMO_VERSION_V2")
        let webBefore = try demo.compose(["ps", "-q", "web"]).stdoutText

        let held = try upgrade(to: "v2", migrations: "bad")
        #expect(held.exitCode == .recipeFailed)
        #expect(held.error?.message.contains("upgrade to v2 held: migration gate: 002_users_plan.up.sql line 3: SQLSTATE 42501") == true, "\(held.error?.message ?? "")")
        #expect(held.steps.map(\.name) == ["migration gate"], "no other step ran: \(held.steps.map(\.name))")
        #expect(try deployed() == v1, "the running version is untouched")
        #expect(try demo.compose(["ps", "-q", "web"]).stdoutText == webBefore, "the same container runs: never stopped or replaced")
        #expect(!FileManager.default.fileExists(atPath: "\(state)/snapshots/\(project)"), "no snapshot was taken")
        #expect(!FileManager.default.fileExists(atPath: "\(state)/state/\(project)/last-good.json"), "last-good untouched")
        guard case .array(let alerts)? = held.outputs.first(where: { $0.0 == "alerts" })?.1 else { Issue.record("no alert"); return }
        #expect(alerts.first?["kind"] == .string("held") && alerts.first?["attempted"] == .string("v2"))

        let good = try upgrade(to: "v2", migrations: "good")
        #expect(good.exitCode == .ok, "\(good.error?.message ?? "")")
        #expect(good.steps.first?.name == "migration gate")
        #expect(try deployed() == v2)
        #expect(String(decoding: try demo.get("/data/orders"), as: UTF8.self) == "order-7")
    }
}
