import Foundation
import Testing
import UnideskTestSupport

/// `plan --out` → `apply` of a compose.recreate against the stack's engine (podman behind a
/// Docker API, Compose v2) and registry: a project of the test's own runs one service from
/// an image in a repository of the test's own. A container recreated by hand, or a new
/// image pushed under the same tag, since the plan is drift: the container stays as it is.
@Suite("Saved plans: compose", .serialized)
struct SavedPlanComposeTests {
    let project = "i18s\(UUID().uuidString.prefix(8).lowercased())"
    let repository = RegistryStack.uniqueRepository()

    static let recipe = """
        local compose = require "unidesk.compose"
        compose.recreate{ project = unidesk.vars.project, files = { "compose.yaml" }, service = "web" }
        """

    var flags: [String] { ["--var", "project=\(project)", "--allow", "compose.recreate:\(project)/web"] }

    /// Runs `body` with `repository:app` published from demo v1 and the project started by
    /// hand (docker compose up), then removes both.
    func withProject(_ body: (RegistryStack, PlanRecipe, _ compose: ([String]) throws -> String) throws -> Void) throws {
        let registry = try RegistryStack()
        try registry.publish(demoTag: "v1", as: repository, tag: "app")
        defer { registry.remove(repository, tag: "app") }
        let file = """
            services:
              web:
                image: \(registry.host)/\(repository):app
                init: true
            """
        let p = try PlanRecipe(Self.recipe, files: ["compose.yaml": file])
        defer { p.remove() }
        let compose = { (args: [String]) throws -> String in
            try StackTool.run(["docker", "compose", "-p", project, "-f", "compose.yaml"] + args, directory: p.run.dir.url.path)
        }
        defer { StackTool.tryRun(["docker", "compose", "-p", project, "-f", "compose.yaml", "down", "--volumes", "--timeout", "1"], directory: p.run.dir.url.path) }
        try compose(["up", "-d"])
        try body(registry, p, compose)
    }

    func containerID(_ compose: ([String]) throws -> String) throws -> String {
        let id = try compose(["ps", "-q", "web"])
        try #require(!id.isEmpty, "the web service has no container")
        return id
    }

    @Test("nothing changed since the plan: apply recreates the container, as planned")
    func applyAsPlanned() throws {
        try withProject { registry, p, compose in
            let before = try containerID(compose)
            let plan = try p.plan(flags)
            #expect(plan.exitCode == 0 && plan.stderr.contains("1 to replace"), "\(plan.summary)")
            #expect(try containerID(compose) == before, "plan recreates nothing")
            let apply = try p.apply(flags)
            #expect(apply.exitCode == 0, "\(apply.summary)")
            #expect(p.applied["performed_writes"] as? Int == 1 && p.applied["planned_writes"] as? Int == 1, "\(p.applied)")
            #expect(try containerID(compose) != before, "the container was recreated")
        }
    }

    @Test("the container recreated by hand since the plan: apply exits 6 and the hand-made container stays")
    func recreatedByHand() throws {
        try withProject { registry, p, compose in
            let planned = try containerID(compose)
            let plan = try p.plan(flags)
            #expect(plan.exitCode == 0, "\(plan.summary)")
            try compose(["up", "-d", "--force-recreate"])
            let byHand = try containerID(compose)
            try #require(byHand != planned)

            let apply = try p.apply(flags)
            #expect(apply.exitCode == 6, "\(apply.summary)")
            #expect(p.run.reportJSON?["status"] as? String == "drift")
            #expect(p.applied["performed_writes"] as? Int == 0, "\(p.applied)")
            let drift = p.applied["drift"] as? [String: Any] ?? [:]
            #expect(drift["capability"] as? String == "compose.recreate:\(project)/web", "\(drift)")
            #expect(drift["reason"] as? String == "what it would change is not what the plan saw (containers changed)", "\(drift)")
            let ids = { (side: String) in ((drift[side] as? [String: Any])?["containers"] as? [[String: Any]])?.compactMap { $0["id"] as? String } }
            #expect(ids("plan") == [planned] && ids("now") == [byHand], "\(drift)")
            #expect(apply.stderr.contains("  containers: plan saw [{\"id\":\"\(planned)\"") && apply.stderr.contains(", now [{\"id\":\"\(byHand)\""), "\(apply.summary)")
            #expect(try containerID(compose) == byHand, "apply recreated nothing")
        }
    }

    @Test("a new image pushed under the same tag since the plan: apply exits 6 naming the registry digest, the container stays")
    func newImageUnderTheSameTag() throws {
        try withProject { registry, p, compose in
            let running = try containerID(compose)
            let plan = try p.plan(flags)
            #expect(plan.exitCode == 0, "\(plan.summary)")
            let v1 = try StackEnvironment.engine.value("UNIDESK_DEMO_DIGEST_V1")
            let v2 = try registry.publish(demoTag: "v2", as: repository, tag: "app")
            try #require(v2 != v1)

            let apply = try p.apply(flags)
            #expect(apply.exitCode == 6, "\(apply.summary)")
            let drift = p.applied["drift"] as? [String: Any] ?? [:]
            #expect((drift["plan"] as? [String: Any])?["registry_digest"] as? String == v1, "\(drift)")
            #expect((drift["now"] as? [String: Any])?["registry_digest"] as? String == v2, "\(drift)")
            #expect(drift["reason"] as? String == "what it would change is not what the plan saw (registry_digest changed)", "\(drift)")
            #expect(apply.stderr.contains("  registry_digest: plan saw \"\(v1)\", now \"\(v2)\"\n"), "\(apply.summary)")
            #expect(p.applied["performed_writes"] as? Int == 0, "\(p.applied)")
            #expect(try containerID(compose) == running, "apply recreated nothing")
        }
    }
}
