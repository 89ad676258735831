import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData
import UnideskProcess

/// recipes/artifact-lane against the real registry and a real container's health endpoint
/// (scripts/stack/registry-up and engine-up).
@Suite(.serialized) struct ArtifactLaneRecipeTests {
    let project = "lane\(UUID().uuidString.prefix(6).lowercased())"

    @Test func rowsFromTheRegistryAndARunningContainer() throws {
        let env = ProcessInfo.processInfo.environment
        let repo = try stackValue("UNIDESK_DEMO_REPO"), fixture = try stackValue("UNIDESK_COMPOSE_FIXTURE")
        let v1 = try stackValue("UNIDESK_DEMO_COMMIT_V1"), v2 = try stackValue("UNIDESK_DEMO_COMMIT_V2")
        // Publish v2 under its commit, as CI would; v1 runs in "dev".
        let retag = try Command.run([try stackValue("UNIDESK_ENGINE_RETAG"), "v2", v2], environment: env, timeout: 120)
        try #require(retag.status == 0, "\(retag.stderrTail())")
        let port = 18000 + Int.random(in: 100...899)
        var upEnv = env
        upEnv["DEMO_IMAGE"] = "\(repo):v1"
        upEnv["DEMO_PORT"] = "\(port)"
        let compose = ["docker", "compose", "-p", project, "-f", "\(fixture)/compose.yaml"]
        defer { _ = try? Command.run(compose + ["down", "--volumes", "--timeout", "1"], environment: env, timeout: 60) }
        let up = try Command.run(compose + ["up", "-d", "--wait", "web"], environment: upEnv, timeout: 120)
        try #require(up.status == 0, "\(up.stderrTail())")

        let t = try TempRecipe([
            "recipe.lua": try String(contentsOfFile: "\(repositoryRoot)/recipes/artifact-lane/recipe.lua", encoding: .utf8),
            "lane.lua": try String(contentsOfFile: "\(repositoryRoot)/recipes/artifact-lane/lane.lua", encoding: .utf8),
            "desired.yaml": """
                services:
                  - name: web
                    image: \(repo)
                    commit: \(v2)
                    envs:
                      dev: { health: "http://127.0.0.1:\(port)/health" }
                  - name: worker
                    image: \(repo)
                    commit: "0000000000000000000000000000000000000000"
                    envs:
                      dev: { health: "http://127.0.0.1:\(port)/health" }
                """,
        ])
        let r = try t.run(allow: ["fs.write:artifact-lane/*"])
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        guard case .array(let rows)? = r.outputs.first(where: { $0.0 == "rows" })?.1, rows.count == 2 else { Issue.record("no rows"); return }
        #expect(rows[0]["artifactExists"] == .bool(true))
        #expect(rows[0]["digest"] == .string(try stackValue("UNIDESK_DEMO_DIGEST_V2")))
        #expect(rows[0]["runtimeCommit"]?["dev"] == .string(v1))
        #expect(rows[0]["recommendedAction"] == .string("deploy to dev"))
        #expect(rows[1]["artifactExists"] == .bool(false))
        #expect(rows[1]["recommendedAction"] == .string("publish 000000000000 (no artifact)"))
        #expect(FileManager.default.fileExists(atPath: "\(t.state)/artifact-lane/rows.json"))
        #expect(!r.audit.contains { $0.effect == .write && $0.primitive != "unidesk.fs.write" }, "the lane changes nothing but its report")
    }
}
