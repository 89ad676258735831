import Foundation
import Testing
import UnideskTestSupport

/// `apply` refuses a plan that is not the one reviewed, or not applied as it was planned:
/// edited by hand, other vars, other grants. Exit 2 before the recipe runs, so nothing is
/// written, as the kube-apiserver shows; the same plan applied as made then succeeds.
@Suite("Saved plans: refused before anything runs", .serialized)
struct SavedPlanRefusalTests {
    let ns = "i18-stack-\(UUID().uuidString.prefix(8).lowercased())"

    var grants: [String] { ["--allow", "kube.apply:\(ns)/ConfigMap/a", "--allow", "kube.apply:\(ns)/ConfigMap/b"] }
    var vars: [String] { ["--var", "ns=\(ns)", "--var", "greeting=hello"] }

    func nothingWritten(_ kube: KubeStack, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for name in ["a", "b"] {
            #expect(try kube.resourceVersion("configmap", name, namespace: ns) == nil, "ConfigMap \(name) was created", sourceLocation: sourceLocation)
        }
    }

    @Test("edited by hand, other vars, one grant less: exit 2 and nothing created; as made, it applies")
    func refusals() throws {
        let kube = try KubeStack()
        try kube.createNamespace(ns)
        defer { kube.deleteNamespace(ns) }
        let p = try PlanRecipe(SavedPlanKubeTests.twoConfigMaps, environment: kube.environment)
        defer { p.remove() }
        let plan = try p.plan(vars + grants)
        try #require(plan.exitCode == 0, "\(plan.summary)")
        let original = p.planText

        // One character changed: the greeting a reviewer approved.
        let edited = original.replacingOccurrences(of: "\"hello\"", with: "\"hellO\"")
        try #require(edited != original, "the plan holds the recipe's arguments")
        try edited.write(toFile: p.planFile, atomically: true, encoding: .utf8)
        let tampered = try p.apply(grants)
        #expect(tampered.exitCode == 2, "\(tampered.summary)")
        #expect(tampered.stderr.contains("was changed after unidesk wrote it (its content no longer matches its digest)"), "\(tampered.summary)")
        let show = try p.show()
        #expect(show.exitCode == 2 && show.stderr.contains("no longer matches its digest"), "\(show.summary)")
        #expect(!show.stdout.contains("ConfigMap"), "\(show.summary)")
        try nothingWritten(kube)
        try original.write(toFile: p.planFile, atomically: true, encoding: .utf8)

        let otherVars = try p.apply(["--var", "ns=\(ns)", "--var", "greeting=bye"] + grants)
        #expect(otherVars.exitCode == 2, "\(otherVars.summary)")
        #expect(otherVars.stderr.contains("the vars differ from the plan's: greeting: plan 'hello', now 'bye'"), "\(otherVars.summary)")
        try nothingWritten(kube)

        // The grant for b left out: a alone would be allowed, yet nothing runs.
        let lessGrants = try p.apply(Array(grants.prefix(2)))
        #expect(lessGrants.exitCode == 2, "\(lessGrants.summary)")
        #expect(lessGrants.stderr.contains("the grants in force differ from the plan's"), "\(lessGrants.summary)")
        try nothingWritten(kube)
        let noGrants = try p.apply([])
        #expect(noGrants.exitCode == 2, "\(noGrants.summary)")
        try nothingWritten(kube)

        // The same plan, vars given again and the grants in another order: applied.
        let applied = try p.apply(vars + ["--allow", "kube.apply:\(ns)/ConfigMap/b", "--allow", "kube.apply:\(ns)/ConfigMap/a"])
        #expect(applied.exitCode == 0, "\(applied.summary)")
        #expect(try kube.field("configmap", "a", namespace: ns, ".data.greeting") == "hello")
        #expect(try kube.field("configmap", "b", namespace: ns, ".data.greeting") == "hello")
    }

    @Test("a plan that failed cannot be applied: exit 2, nothing created")
    func failedPlan() throws {
        let kube = try KubeStack()
        try kube.createNamespace(ns)
        defer { kube.deleteNamespace(ns) }
        let p = try PlanRecipe(SavedPlanKubeTests.twoConfigMaps, environment: kube.environment)
        defer { p.remove() }
        // Without the grant for b the plan is denied (exit 3), and still written.
        let plan = try p.plan(vars + Array(grants.prefix(2)))
        #expect(plan.exitCode == 3, "\(plan.summary)")
        let apply = try p.apply(Array(grants.prefix(2)))
        #expect(apply.exitCode == 2, "\(apply.summary)")
        #expect(apply.stderr.contains("this plan cannot be applied: the plan run ended with denied (exit 3)"), "\(apply.summary)")
        try nothingWritten(kube)
    }
}
