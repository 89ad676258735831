import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData
import UnideskProcess

/// recipes/artifact-lane against the real registry and a real container's health endpoint
/// (scripts/stack/registry-up and engine-up).
@Suite(.serialized) struct ArtifactLaneRecipeTests {
    @Test func rowsFromTheRegistryAndARunningContainer() throws {
        let v1 = try stackValue("UNIDESK_DEMO_COMMIT_V1"), v2 = try stackValue("UNIDESK_DEMO_COMMIT_V2")
        // Publish v2 under its commit, as CI would; v1 runs in "dev".
        try DemoProject.publish("v2", as: v2)
        let demo = try DemoProject(prefix: "lane", services: ["web"])
        defer { demo.down() }
        let (repo, port) = (demo.repo, demo.port)

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
