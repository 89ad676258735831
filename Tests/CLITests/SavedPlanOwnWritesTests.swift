import Foundation
import Testing
import UnideskTestSupport

/// A write to a target the same run wrote before with another primitive of the family
/// (kube.apply then kube.delete of one object, compose.up then compose.down of one
/// project): its basis is the run's own doing, so apply does not compare it with the plan's
/// (DriftCheck keys what the run wrote by family and scope, "P/*" covering "P/web").
@Suite("Saved plans: a later write to a target the run already wrote", .serialized)
struct SavedPlanOwnWritesTests {
    @Test("kube.apply then kube.delete of one object, nothing changed since the plan: apply exits 0")
    func kubeApplyThenDelete() throws {
        let ns = "i18-stack-\(UUID().uuidString.prefix(8).lowercased())"
        let kube = try KubeStack()
        try kube.createNamespace(ns)
        defer { kube.deleteNamespace(ns) }
        let p = try PlanRecipe("""
            local kube = require "unidesk.kube"
            kube.apply({ apiVersion = "v1", kind = "ConfigMap", metadata = { name = "scratch", namespace = unidesk.vars.ns }, data = { k = "v" } })
            kube.delete{ kind = "ConfigMap", name = "scratch", namespace = unidesk.vars.ns }
            """, environment: kube.environment)
        defer { p.remove() }
        let grant = ["--allow", "kube.*:\(ns)/*"]
        let plan = try p.plan(["--var", "ns=\(ns)"] + grant)
        #expect(plan.exitCode == 0, "\(plan.summary)")
        let apply = try p.apply(grant)
        #expect(apply.exitCode == 0, "\(apply.summary)")
        #expect(try kube.resourceVersion("configmap", "scratch", namespace: ns) == nil, "deleted, as planned")
    }

    @Test("compose.up then compose.down of one project, nothing changed since the plan: apply exits 0")
    func composeUpThenDown() throws {
        let project = "i18s\(UUID().uuidString.prefix(8).lowercased())"
        let registry = try StackEnvironment.engine.value("UNIDESK_ENGINE_REGISTRY")
        let p = try PlanRecipe("""
            local compose = require "unidesk.compose"
            local P = { project = unidesk.vars.project, files = { "compose.yaml" } }
            compose.up(P)
            compose.down(P)
            """, files: ["compose.yaml": "services:\n  web:\n    image: \(registry)/unidesk/demo:v1\n    init: true\n"])
        defer { p.remove() }
        defer { StackTool.tryRun(["docker", "compose", "-p", project, "-f", "compose.yaml", "down", "--volumes", "--timeout", "1"], directory: p.run.dir.url.path) }
        let grant = ["--allow", "compose.*:\(project)/*"]
        let plan = try p.plan(["--var", "project=\(project)"] + grant)
        #expect(plan.exitCode == 0, "\(plan.summary)")
        let apply = try p.apply(grant)
        #expect(apply.exitCode == 0, "\(apply.summary)")
        let left = try StackTool.run(["docker", "compose", "-p", project, "-f", "compose.yaml", "ps", "-a", "-q"], directory: p.run.dir.url.path)
        #expect(left.isEmpty, "down removed the container, as planned")
    }
}
