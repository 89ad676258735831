import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData
import UnideskProcess

/// recipes/compose-consumer against the real registry and engine.
@Suite(.serialized) struct ComposeConsumerTests {
    @Test func deploysByDigestVerifiesAndPutsThePreviousBack() throws {
        let v2 = try stackValue("UNIDESK_DEMO_COMMIT_V2"), broken = try stackValue("UNIDESK_DEMO_COMMIT_BROKEN")
        let digest2 = try stackValue("UNIDESK_DEMO_DIGEST_V2")
        try DemoProject.publish("v2", as: v2)
        try DemoProject.publish("broken", as: broken)
        let demo = try DemoProject(prefix: "cc", services: ["web"])
        defer { demo.down() }
        let (project, port, repo) = (demo.name, demo.port, demo.repo)
        let dir = try DemoProject.recipeCopy("compose-consumer", files: ["recipe.lua", "consumer.lua", "deploy/compose.yaml"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func deploy(_ commit: String, migrations: String? = nil) throws -> RunReport {
            var o = EngineOptions()
            o.color = false
            o.timeout = 180
            o.stateDirectory = dir + "-state"
            o.vars = [("repo", repo), ("commit", commit), ("port", "\(port)"), ("project", project), ("timeout", "15")]
            try o.policy.add(allow: ["compose.*"], deny: [])
            if let migrations { try MigrationGateFixtures.enable(&o, migrations: migrations) }
            return Engine(options: o, libraries: Libraries.all).run(recipePath: "\(dir)/recipe.lua")
        }
        func running() throws -> String? { (try? JSON.decode(bytes: try demo.get("/health")))?["deploy"]?["commit"]?.stringValue }

        let good = try deploy(v2)
        #expect(good.exitCode == .ok, "\(good.error?.message ?? "")")
        #expect(good.outputs.first { $0.0 == "deploy" }?.1["digest"] == .string(digest2))
        #expect(try running() == v2)

        let bad = try deploy(broken)
        #expect(bad.exitCode == .recipeFailed)
        #expect(bad.error?.message.contains("the previous digest runs again") == true, "\(bad.error?.message ?? "")")
        #expect(try running() == v2, "v2 runs again after the broken build failed")

        let missing = try deploy("feedfacefeedfacefeedfacefeedfacefeedface")
        #expect(missing.error?.message.contains("no artifact for feedface") == true, "\(missing.error?.message ?? "")")
        #expect(!missing.audit.contains { $0.primitive == "unidesk.compose.recreate" }, "nothing was recreated")

        // The migration gate in front: the ownership outage (42501) stops the deploy before
        // the registry or the engine is asked anything.
        try MigrationGateFixtures.install(into: dir, ["migrations": "ownership"])
        let held = try deploy(broken, migrations: "migrations")
        #expect(held.exitCode == .recipeFailed)
        #expect(held.error?.message.contains("002_users_plan.up.sql line 3: SQLSTATE 42501") == true, "\(held.error?.message ?? "")")
        #expect(!held.audit.contains { $0.primitive.hasPrefix("unidesk.compose") || $0.primitive.hasPrefix("unidesk.registry") },
                "only the gate ran: \(held.audit.map(\.primitive))")
        #expect(try running() == v2)
    }
}
