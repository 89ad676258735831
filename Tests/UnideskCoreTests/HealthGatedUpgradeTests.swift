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
