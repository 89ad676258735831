import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData
import UnideskProcess

/// recipes/compose-consumer against the real registry and engine.
@Suite(.serialized) struct ComposeConsumerTests {
    let project = "cc\(UUID().uuidString.prefix(6).lowercased())"

    @Test func deploysByDigestVerifiesAndPutsThePreviousBack() throws {
        let env = ProcessInfo.processInfo.environment
        let repo = try stackValue("UNIDESK_DEMO_REPO"), fixture = try stackValue("UNIDESK_COMPOSE_FIXTURE")
        let v2 = try stackValue("UNIDESK_DEMO_COMMIT_V2"), broken = try stackValue("UNIDESK_DEMO_COMMIT_BROKEN")
        let digest2 = try stackValue("UNIDESK_DEMO_DIGEST_V2")
        for (tag, commit) in [("v2", v2), ("broken", broken)] {
            let r = try Command.run([try stackValue("UNIDESK_ENGINE_RETAG"), tag, commit], environment: env, timeout: 120)
            try #require(r.status == 0, "\(r.stderrTail())")
        }
        let port = 18000 + Int.random(in: 100...899)
        var upEnv = env
        upEnv["DEMO_IMAGE"] = "\(repo):v1"
        upEnv["DEMO_PORT"] = "\(port)"
        let compose = ["docker", "compose", "-p", project, "-f", "\(fixture)/compose.yaml"]
        defer { _ = try? Command.run(compose + ["down", "--volumes", "--timeout", "1"], environment: env, timeout: 60) }
        let up = try Command.run(compose + ["up", "-d", "--wait", "web"], environment: upEnv, timeout: 120)
        try #require(up.status == 0, "\(up.stderrTail())")

        let dir = NSTemporaryDirectory() + "unidesk-cc-\(project)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: "\(dir)/deploy", withIntermediateDirectories: true)
        for f in ["recipe.lua", "consumer.lua", "deploy/compose.yaml"] {
            try FileManager.default.copyItem(atPath: "\(repositoryRoot)/recipes/compose-consumer/\(f)", toPath: "\(dir)/\(f)")
        }
        func deploy(_ commit: String) throws -> RunReport {
            var o = EngineOptions()
            o.color = false
            o.timeout = 180
            o.stateDirectory = dir + "-state"
            o.vars = [("repo", repo), ("commit", commit), ("port", "\(port)"), ("project", project), ("timeout", "15")]
            try o.policy.add(allow: ["compose.*"], deny: [])
            return Engine(options: o, libraries: Libraries.all).run(recipePath: "\(dir)/recipe.lua")
        }
        func running() throws -> String? {
            let body = try Command.run(["curl", "-sf", "http://127.0.0.1:\(port)/health"], environment: env, timeout: 30).stdout
            return (try? JSON.decode(bytes: body))?["deploy"]?["commit"]?.stringValue
        }

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
    }
}
