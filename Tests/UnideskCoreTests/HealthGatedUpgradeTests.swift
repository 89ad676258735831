import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData
import UnideskProcess

/// recipes/health-gated-upgrade against the real engine: an upgrade whose new version never
/// becomes healthy is rolled back with its data intact and an alert; then one that succeeds.
@Suite(.serialized) struct HealthGatedUpgradeTests {
    let project = "hgu\(UUID().uuidString.prefix(6).lowercased())"

    @Test func aFailedUpgradeRollsBackWithItsDataAndAGoodOneCommits() throws {
        let env = ProcessInfo.processInfo.environment
        let repo = try stackValue("UNIDESK_DEMO_REPO"), fixture = try stackValue("UNIDESK_COMPOSE_FIXTURE")
        let port = 18000 + Int.random(in: 100...899)
        var upEnv = env
        upEnv["DEMO_IMAGE"] = "\(repo):v1"
        upEnv["DEMO_PORT"] = "\(port)"
        let compose = ["docker", "compose", "-p", project, "-f", "\(fixture)/compose.yaml"]
        defer { _ = try? Command.run(compose + ["down", "--volumes", "--timeout", "1"], environment: env, timeout: 60) }
        let up = try Command.run(compose + ["up", "-d", "--wait"], environment: upEnv, timeout: 120)
        try #require(up.status == 0, "\(up.stderrTail())")
        // Data the users wrote before the upgrade.
        let put = try Command.run(["curl", "-sf", "-X", "PUT", "--data-binary", "order-42", "http://127.0.0.1:\(port)/data/orders"], environment: env, timeout: 30)
        try #require(put.status == 0, "\(put.stderrTail())")

        let recipeDir = NSTemporaryDirectory() + "unidesk-hgu-\(project)"
        defer { try? FileManager.default.removeItem(atPath: recipeDir) }
        try FileManager.default.createDirectory(atPath: "\(recipeDir)/deploy", withIntermediateDirectories: true)
        for f in ["recipe.lua", "upgrade.lua", "deploy/compose.yaml"] {
            try FileManager.default.copyItem(atPath: "\(repositoryRoot)/recipes/health-gated-upgrade/\(f)", toPath: "\(recipeDir)/\(f)")
        }
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
        func data() throws -> String {
            try Command.run(["curl", "-sf", "http://127.0.0.1:\(port)/data/orders"], environment: env, timeout: 30).stdoutText
        }
        func deployed() throws -> String {
            let body = try Command.run(["curl", "-sf", "http://127.0.0.1:\(port)/health"], environment: env, timeout: 30).stdout
            return (try? JSON.decode(bytes: body))?["deploy"]?["version"]?.stringValue ?? "?"
        }

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
        let worker = try Command.run(["docker", "compose", "-p", project, "-f", "\(fixture)/compose.yaml", "ps", "--format", "{{.Service}} {{.State}}"],
                                     environment: upEnv, timeout: 30).stdoutText
        #expect(worker.contains("worker running"), "the other service is started again: \(worker)")
    }
}
