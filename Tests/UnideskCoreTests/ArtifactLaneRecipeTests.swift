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

extension ArtifactLaneRecipeTests {
    /// The other two sources of the running commit, for real: a Deployment's annotation on
    /// the kube-apiserver of scripts/stack/kube-up, and a container's revision label.
    @Test func runtimeCommitsFromADeploymentAnnotationAndAContainerLabel() throws {
        let v1 = try stackValue("UNIDESK_DEMO_COMMIT_V1"), v2 = try stackValue("UNIDESK_DEMO_COMMIT_V2")
        try DemoProject.publish("v2", as: v2)
        let demo = try DemoProject(prefix: "lanek", services: ["web"])   // runs v1: its label says v1's commit
        defer { demo.down() }
        let ns = "lane-\(UUID().uuidString.prefix(6).lowercased())"
        var env = ProcessInfo.processInfo.environment
        env["KUBECONFIG"] = try stackValue("UNIDESK_KUBECONFIG_ADMIN_TOKEN")
        env["UNIDESK_SNAPSHOT_DIR"] = nil
        func options(_ t: TempRecipe, allow: [String]) throws -> EngineOptions {
            var o = EngineOptions()
            o.color = false
            o.timeout = 120
            o.stateDirectory = t.state
            o.environment = env
            try o.policy.add(allow: allow, deny: [])
            return o
        }
        func run(_ t: TempRecipe, allow: [String]) throws -> RunReport {
            Engine(options: try options(t, allow: allow), libraries: Libraries.all).run(recipePath: "\(t.dir)/recipe.lua")
        }
        // prod's Deployment, annotated with the commit it was rolled out from (v2).
        let setup = try TempRecipe(["recipe.lua": """
            local kube = require "unidesk.kube"
            kube.apply({ apiVersion = "v1", kind = "Namespace", metadata = { name = "\(ns)" } })
            kube.apply({ apiVersion = "apps/v1", kind = "Deployment",
              metadata = { name = "web", namespace = "\(ns)", annotations = { ["unidesk.dev/commit"] = "\(v2)" } },
              spec = { replicas = 0, selector = { matchLabels = { app = "web" } },
                template = { metadata = { labels = { app = "web" } }, spec = { containers = { { name = "web", image = "\(demo.repo):\(v2)" } } } } } })
            """])
        let made = try run(setup, allow: ["kube.*"])
        try #require(made.exitCode == .ok, "\(made.error?.message ?? "")")
        defer {
            if let teardown = try? TempRecipe(["recipe.lua": "require('unidesk.kube').delete{ kind = 'Namespace', name = '\(ns)' }"]) {
                _ = try? run(teardown, allow: ["kube.*"])
            }
        }

        let t = try TempRecipe([
            "recipe.lua": try String(contentsOfFile: "\(repositoryRoot)/recipes/artifact-lane/recipe.lua", encoding: .utf8),
            "lane.lua": try String(contentsOfFile: "\(repositoryRoot)/recipes/artifact-lane/lane.lua", encoding: .utf8),
            "deploy/compose.yaml": try String(contentsOfFile: "\(try stackValue("UNIDESK_COMPOSE_FIXTURE"))/compose.yaml", encoding: .utf8),
            "desired.yaml": """
                services:
                  - name: web
                    image: \(demo.repo)
                    commit: \(v2)
                    envs:
                      dev: { compose: { project: \(demo.name), service: web, dir: deploy } }
                      prod: { deployment: { name: web, namespace: \(ns) } }
                  - name: api
                    image: \(demo.repo)
                    commit: \(v2)
                    envs:
                      prod: { deployment: { name: api, namespace: \(ns) } }
                """,
        ])
        let grants = ["fs.write:artifact-lane/*", "compose.ps:*", "compose.inspect:*", "kube.get:*"]
        let r = try run(t, allow: grants)
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        guard case .array(let rows)? = r.outputs.first(where: { $0.0 == "rows" })?.1, rows.count == 2 else { Issue.record("no rows: \(r.outputs)"); return }
        #expect(rows[0]["runtimeCommit"]?["dev"] == .string(v1), "dev from the container's label: \(rows[0])")
        #expect(rows[0]["runtimeCommit"]?["prod"] == .string(v2), "prod from the Deployment's annotation: \(rows[0])")
        #expect(rows[0]["prodStatus"] == .string("current"))
        #expect(rows[0]["devStatus"] == .string("behind (runs \(v1.prefix(12)))"))
        #expect(rows[0]["recommendedAction"] == .string("deploy to dev"))
        #expect(rows[1]["prodStatus"] == .string("no Deployment api"), "\(rows[1])")
        #expect(!r.audit.contains { $0.performed && $0.effect == .write && $0.primitive != "unidesk.fs.write" }, "the lane changes nothing")

        // With a saved plan: the same reads (a container's label, a Deployment, one that is
        // missing) compared and found unchanged, the rows written as planned.
        let round = try SavedPlanRound.run(try options(t, allow: grants), recipe: "\(t.dir)/recipe.lua")
        round.expectExactlyThePlan()
        #expect(round.planned == ["fs.write:artifact-lane/rows.json"])
        #expect(round.saved.calls.contains { $0.primitive == "unidesk.kube.get" } && round.saved.calls.contains { $0.primitive == "unidesk.compose.inspect" })
    }
}
