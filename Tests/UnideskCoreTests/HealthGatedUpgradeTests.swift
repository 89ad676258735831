import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData
import UnideskProcess

/// recipes/health-gated-upgrade against the real engine: an upgrade whose new version never
/// becomes healthy is rolled back with its data intact and an alert; then one that succeeds.
@Suite(.serialized) struct HealthGatedUpgradeTests {
    /// The demo project running v1 with an order its users wrote, a copy of the recipe and
    /// the run's state directory: what each test upgrades.
    struct Rig {
        let demo: DemoProject
        let recipeDir: String
        var state: String { recipeDir + "-state" }
        var project: String { demo.name }

        init(prefix: String, order: String) throws {
            demo = try DemoProject(prefix: prefix)
            let put = try Command.run(["curl", "-sf", "-X", "PUT", "--data-binary", order, "http://127.0.0.1:\(demo.port)/data/orders"],
                                      environment: demo.environment, timeout: 30)
            guard put.status == 0 else { demo.down(); throw DemoProject.DemoError(message: "writing the order: \(put.stderrTail())") }
            recipeDir = try DemoProject.recipeCopy("health-gated-upgrade", files: ["recipe.lua", "upgrade.lua", "deploy/compose.yaml"])
        }

        func remove() {
            demo.down()
            try? FileManager.default.removeItem(atPath: recipeDir)
            try? FileManager.default.removeItem(atPath: state)
        }

        /// The recipe, to `tag`; with `migrations` (a directory of the recipe's copy) the
        /// migration gate runs first against the stack's PostgreSQL.
        func upgrade(to tag: String, migrations: String? = nil, alertmanager: String? = nil) throws -> RunReport {
            var o = EngineOptions()
            o.color = false
            o.timeout = 240
            o.stateDirectory = state
            o.vars = [("repo", demo.repo), ("target", tag), ("port", "\(demo.port)"), ("project", project), ("app", project), ("timeout", "20")]
            try o.policy.add(allow: ["compose.*", "snapshot.*", "state.*"], deny: [])
            if let migrations { try MigrationGateFixtures.enable(&o, migrations: migrations) }
            if let alertmanager { try o.policy.addAlertSink(AlertSinkConfig(kind: .alertmanager, name: "alertmanager", url: alertmanager)) }
            return Engine(options: o, libraries: Libraries.all).run(recipePath: "\(recipeDir)/recipe.lua")
        }

        func data() throws -> String { String(decoding: try demo.get("/data/orders"), as: UTF8.self) }
        func deployed() throws -> String { (try? JSON.decode(bytes: try demo.get("/health")))?["deploy"]?["version"]?.stringValue ?? "?" }
    }

    /// With an Alertmanager as the operator's sink: the rollback alert arrives there, and the
    /// good upgrade resolves it.
    @Test func aFailedUpgradeRollsBackWithItsDataAndAGoodOneCommits() throws {
        let rig = try Rig(prefix: "hgu", order: "order-42")
        defer { rig.remove() }
        let am = try TestAlertmanager()
        defer { am.stop() }

        let failed = try rig.upgrade(to: "broken", alertmanager: am.url)
        #expect(failed.exitCode == .recipeFailed)
        #expect(failed.error?.message.contains("upgrade to broken rolled back") == true, "\(failed.error?.message ?? "")")
        let v1 = try stackValue("UNIDESK_DEMO_VERSION_V1"), v2 = try stackValue("UNIDESK_DEMO_VERSION_V2")
        let digest2 = try stackValue("UNIDESK_DEMO_DIGEST_V2")
        #expect(try rig.deployed() == v1, "the prior version runs again")
        #expect(try rig.data() == "order-42", "data written before the upgrade survives")
        guard case .array(let alerts)? = failed.outputs.first(where: { $0.0 == "alerts" })?.1 else { Issue.record("no alert"); return }
        #expect(alerts.first?["kind"] == .string("rolled_back") && alerts.first?["recovered"] == .bool(true))
        #expect(failed.steps.map(\.name).contains("roll back to \(v1)"))
        let firing = try am.alertLabels()
        #expect(firing == [["alertname": "unidesk_rolled_back", "app": rig.project, "kind": "rolled_back", "severity": "warning", "source": "unidesk"]],
                "\(firing)")

        let good = try rig.upgrade(to: "v2", alertmanager: am.url)
        #expect(good.exitCode == .ok, "\(good.error?.message ?? "")")
        #expect(try rig.deployed() == v2)
        #expect(try rig.data() == "order-42")
        let lastGood = try JSON.decode(String(contentsOfFile: "\(rig.state)/state/\(rig.project)/last-good.json", encoding: .utf8))
        #expect(lastGood["tag"] == .string("v2") && lastGood["digest"] == .string(digest2))
        let worker = try rig.demo.compose(["ps", "--format", "{{.Service}} {{.State}}"]).stdoutText
        #expect(worker.contains("worker running"), "the other service is started again: \(worker)")
        #expect(try am.alertLabels().isEmpty, "the good upgrade resolved the rollback alert")
    }

    /// --var migrations=: the migration gate runs first, against the real PostgreSQL. A
    /// migration that fails as the deploy role (42501) holds the upgrade with nothing stopped,
    /// snapshotted or deployed; a clean set lets it go on.
    @Test func aMigrationThatFailsAsTheDeployRoleHoldsTheUpgrade() throws {
        let rig = try Rig(prefix: "hgm", order: "order-7")
        defer { rig.remove() }
        try MigrationGateFixtures.install(into: rig.recipeDir, ["bad": "ownership", "good": "clean"])
        let v1 = try stackValue("UNIDESK_DEMO_VERSION_V1"), v2 = try stackValue("UNIDESK_DEMO_VERSION_V2")
        let webBefore = try rig.demo.compose(["ps", "-q", "web"]).stdoutText

        let held = try rig.upgrade(to: "v2", migrations: "bad")
        #expect(held.exitCode == .recipeFailed)
        #expect(held.error?.message.contains("upgrade to v2 held: migration gate: 002_users_plan.up.sql line 3: SQLSTATE 42501") == true, "\(held.error?.message ?? "")")
        #expect(held.steps.map(\.name) == ["migration gate"], "no other step ran: \(held.steps.map(\.name))")
        #expect(try rig.deployed() == v1, "the running version is untouched")
        #expect(try rig.demo.compose(["ps", "-q", "web"]).stdoutText == webBefore, "the same container runs: never stopped or replaced")
        #expect(!FileManager.default.fileExists(atPath: "\(rig.state)/snapshots/\(rig.project)"), "no snapshot was taken")
        #expect(!FileManager.default.fileExists(atPath: "\(rig.state)/state/\(rig.project)/last-good.json"), "last-good untouched")
        guard case .array(let alerts)? = held.outputs.first(where: { $0.0 == "alerts" })?.1 else { Issue.record("no alert"); return }
        #expect(alerts.first?["kind"] == .string("held") && alerts.first?["attempted"] == .string("v2"))

        let good = try rig.upgrade(to: "v2", migrations: "good")
        #expect(good.exitCode == .ok, "\(good.error?.message ?? "")")
        #expect(good.steps.first?.name == "migration gate")
        #expect(try rig.deployed() == v2)
        #expect(try rig.data() == "order-7")
    }
}
