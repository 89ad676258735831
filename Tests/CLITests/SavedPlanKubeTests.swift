import Foundation
import Testing
import UnideskProcess
import UnideskTestSupport

/// `plan --out` → `apply` of kube.apply recipes against the stack's kube-apiserver, in a
/// namespace of each test's own: apply performs exactly what was planned, and stops (exit
/// 6) when an object changed behind unidesk's back; what it did is checked on the server.
@Suite("Saved plans: kube", .serialized)
struct SavedPlanKubeTests {
    let ns = "i18-stack-\(UUID().uuidString.prefix(8).lowercased())"

    /// A ConfigMap, then a Deployment whose image tag is a var.
    static let configAndDeployment = """
        local kube = require "unidesk.kube"
        local NS = unidesk.vars.ns
        kube.apply({ apiVersion = "v1", kind = "ConfigMap", metadata = { name = "app-config", namespace = NS },
                     data = { greeting = unidesk.vars.greeting } })
        kube.apply({ apiVersion = "apps/v1", kind = "Deployment", metadata = { name = "web", namespace = NS },
          spec = { replicas = 1, selector = { matchLabels = { app = "web" } },
            template = { metadata = { labels = { app = "web" } },
              spec = { containers = { { name = "web", image = "127.0.0.1:5000/unidesk/demo:" .. unidesk.vars.tag } } } } } })
        """

    /// Two ConfigMaps: objects no controller writes to, so their resourceVersion moves only
    /// when someone changes them.
    static let twoConfigMaps = """
        local kube = require "unidesk.kube"
        local NS = unidesk.vars.ns
        for _, name in ipairs({ "a", "b" }) do
          kube.apply({ apiVersion = "v1", kind = "ConfigMap", metadata = { name = name, namespace = NS },
                       data = { greeting = unidesk.vars.greeting } })
        end
        """

    /// Two ConfigMaps in one kube.apply call: a plain run sends them to the server together.
    static let twoConfigMapsInOneCall = """
        local kube = require "unidesk.kube"
        kube.apply({
          { apiVersion = "v1", kind = "ConfigMap", metadata = { name = "a" }, data = { greeting = unidesk.vars.greeting } },
          { apiVersion = "v1", kind = "ConfigMap", metadata = { name = "b" }, data = { greeting = unidesk.vars.greeting } },
        }, { namespace = unidesk.vars.ns })
        """

    var grant: [String] { ["--allow", "kube.apply:\(ns)/*"] }

    func vars(greeting: String, tag: String = "v1") -> [String] {
        ["--var", "ns=\(ns)", "--var", "greeting=\(greeting)", "--var", "tag=\(tag)"]
    }

    /// Runs `body` with the namespace created, then deletes it and the recipe directory.
    func withRecipe(_ source: String, _ body: (KubeStack, PlanRecipe) throws -> Void) throws {
        let kube = try KubeStack()
        try kube.createNamespace(ns)
        defer { kube.deleteNamespace(ns) }
        let recipe = try PlanRecipe(source, environment: kube.environment)
        defer { recipe.remove() }
        try body(kube, recipe)
    }

    /// A controller writing the Deployment's status (as the deployment controller does
    /// whenever its pods change) moves its resourceVersion but not what the write changes:
    /// no drift. The basis is the object without its status and bookkeeping.
    @Test("a status written between plan and apply is not drift")
    func statusWrittenByAController() throws {
        try withRecipe(Self.configAndDeployment) { kube, p in
            #expect(try p.perform(vars(greeting: "hello") + grant).exitCode == 0)
            let plan = try p.plan(vars(greeting: "bye", tag: "v2") + grant)
            #expect(plan.exitCode == 0, "\(plan.summary)")
            let before = try #require(try kube.resourceVersion("deployment", "web", namespace: ns))
            let env = ProcessInfo.processInfo.environment
            let server = try StackEnvironment.any.value("UNIDESK_KUBE_SERVER")
            let r = try Command.run(["curl", "-sS", "-f", "--cacert", try StackEnvironment.any.value("UNIDESK_KUBE_CA"),
                                     "-H", "Authorization: Bearer \(try StackEnvironment.any.value("UNIDESK_KUBE_ADMIN_TOKEN"))",
                                     "-H", "Content-Type: application/merge-patch+json", "-X", "PATCH",
                                     "--data", #"{"status":{"collisionCount":3}}"#,
                                     "\(server)/apis/apps/v1/namespaces/\(ns)/deployments/web/status"], environment: env, timeout: 60)
            try #require(r.status == 0, "status PATCH: \(r.stderrTail())")
            #expect(try kube.resourceVersion("deployment", "web", namespace: ns) != before, "the status write moved the resourceVersion")
            let apply = try p.apply(grant)
            #expect(apply.exitCode == 0, "\(apply.summary)")
            #expect(try kube.field("deployment", "web", namespace: ns, ".spec.template.spec.containers[0].image") == "127.0.0.1:5000/unidesk/demo:v2")
        }
    }

    @Test("plan --out → apply performs exactly the planned writes; planned again, plan and show say No changes")
    func applyThenNoChanges() throws {
        try withRecipe(Self.configAndDeployment) { kube, p in
            let plan = try p.plan(vars(greeting: "hello") + grant)
            #expect(plan.exitCode == 0, "\(plan.summary)")
            #expect(plan.stderr.contains("Plan: 2 to create, 0 to change, 0 to replace, 0 to delete, 0 unchanged."), "\(plan.summary)")
            #expect(try kube.resourceVersion("configmap", "app-config", namespace: ns) == nil, "plan creates nothing")

            let apply = try p.apply(grant)
            #expect(apply.exitCode == 0, "\(apply.summary)")
            #expect(apply.stderr.contains("Applied 2 of 2 planned writes."), "\(apply.summary)")
            #expect(p.run.reportJSON?["status"] as? String == "ok")
            #expect(p.applied["planned_writes"] as? Int == 2 && p.applied["performed_writes"] as? Int == 2, "\(p.applied)")
            #expect((p.applied["unreached"] as? [Any])?.isEmpty == true && p.applied["drift"] == nil, "\(p.applied)")
            #expect(try kube.field("configmap", "app-config", namespace: ns, ".data.greeting") == "hello")
            #expect(try kube.field("deployment", "web", namespace: ns, ".spec.template.spec.containers[0].image") == "127.0.0.1:5000/unidesk/demo:v1")

            let again = try p.plan(vars(greeting: "hello") + grant)
            #expect(again.exitCode == 0, "\(again.summary)")
            #expect(again.stderr.contains("No changes. 2 planned effects unchanged."), "\(again.summary)")
            let show = try p.show()
            #expect(show.exitCode == 0, "\(show.summary)")
            #expect(show.stdout.contains("No changes. 2 planned effects unchanged."), "\(show.summary)")
            #expect(!show.stdout.contains("to create"), "\(show.summary)")
        }
    }

    @Test("plan → apply of a change to objects that exist: exit 0, both changed (their resourceVersion is the plan's basis)")
    func applyAChangeToExistingObjects() throws {
        try withRecipe(Self.twoConfigMaps) { kube, p in
            #expect(try p.perform(vars(greeting: "hello") + grant).exitCode == 0)
            let plan = try p.plan(vars(greeting: "bye") + grant)
            #expect(plan.exitCode == 0 && plan.stderr.contains("0 to create, 2 to change"), "\(plan.summary)")
            #expect(try kube.field("configmap", "a", namespace: ns, ".data.greeting") == "hello", "plan changes nothing")
            let apply = try p.apply(grant)
            #expect(apply.exitCode == 0, "\(apply.summary)")
            #expect(p.applied["performed_writes"] as? Int == 2, "\(p.applied)")
            #expect(try kube.field("configmap", "a", namespace: ns, ".data.greeting") == "bye")
            #expect(try kube.field("configmap", "b", namespace: ns, ".data.greeting") == "bye")
        }
    }

    @Test("an object changed by hand after the plan: apply exits 6 at its write and performs nothing after it")
    func editedBehindUnidesksBack() throws {
        try withRecipe(Self.configAndDeployment) { kube, p in
            #expect(try p.perform(vars(greeting: "hello") + grant).exitCode == 0)
            let plan = try p.plan(vars(greeting: "bye", tag: "v2") + grant)
            #expect(plan.exitCode == 0 && plan.stderr.contains("0 to create, 2 to change"), "\(plan.summary)")
            let planned = try #require(try kube.resourceVersion("configmap", "app-config", namespace: ns))
            let generation = try kube.field("deployment", "web", namespace: ns, ".metadata.generation")

            // Someone else's edit, as kubectl edit would make it.
            try kube.kubectl(["label", "configmap", "app-config", "-n", ns, "edited-by=hand"])
            let edited = try #require(try kube.resourceVersion("configmap", "app-config", namespace: ns))
            #expect(edited != planned)

            let apply = try p.apply(grant)
            #expect(apply.exitCode == 6, "\(apply.summary)")
            #expect(p.run.reportJSON?["status"] as? String == "drift")
            #expect(p.applied["performed_writes"] as? Int == 0 && p.applied["planned_writes"] as? Int == 2, "\(p.applied)")
            let drift = p.applied["drift"] as? [String: Any] ?? [:]
            #expect(drift["capability"] as? String == "kube.apply:\(ns)/ConfigMap/app-config", "\(drift)")
            // The same object (uid), holding something else (the content's digest).
            let side = { (s: String) in drift[s] as? [String: Any] ?? [:] }
            #expect(side("plan")["uid"] as? String != nil && side("plan")["uid"] as? String == side("now")["uid"] as? String, "\(drift)")
            #expect(side("plan")["content"] as? String != side("now")["content"] as? String, "\(drift)")
            #expect(drift["reason"] as? String == "what it would change is not what the plan saw (content changed)", "\(drift)")
            #expect(apply.stderr.contains("  content: plan saw \"sha256:"), "\(apply.summary)")
            #expect(apply.stderr.contains("Nothing was performed after this point."), "\(apply.summary)")
            #expect(apply.stderr.contains("Applied 0 of 2 planned writes."), "\(apply.summary)")

            // On the server: the hand edit is the last change of the ConfigMap, the Deployment's
            // spec was not written (its generation moves with every spec change).
            #expect(try kube.resourceVersion("configmap", "app-config", namespace: ns) == edited)
            #expect(try kube.field("configmap", "app-config", namespace: ns, ".data.greeting") == "hello")
            #expect(try kube.field("deployment", "web", namespace: ns, ".metadata.generation") == generation)
            #expect(try kube.field("deployment", "web", namespace: ns, ".spec.template.spec.containers[0].image") == "127.0.0.1:5000/unidesk/demo:v1")
        }
    }

    @Test("the Deployment edited by hand after the plan: the ConfigMap before it is applied, the Deployment is not")
    func deploymentEditedBehindUnidesksBack() throws {
        try withRecipe(Self.configAndDeployment) { kube, p in
            #expect(try p.perform(vars(greeting: "hello") + grant).exitCode == 0)
            let plan = try p.plan(vars(greeting: "bye", tag: "v2") + grant)
            #expect(plan.exitCode == 0, "\(plan.summary)")
            try kube.kubectl(["label", "deployment", "web", "-n", ns, "edited-by=hand"])
            let generation = try kube.field("deployment", "web", namespace: ns, ".metadata.generation")

            let apply = try p.apply(grant)
            #expect(apply.exitCode == 6, "\(apply.summary)")
            #expect(p.applied["performed_writes"] as? Int == 1, "\(p.applied)")
            let drift = p.applied["drift"] as? [String: Any] ?? [:]
            #expect(drift["capability"] as? String == "kube.apply:\(ns)/Deployment/web", "\(drift)")
            let unreached = (p.applied["unreached"] as? [[String: Any]] ?? []).compactMap { $0["capability"] as? String }
            #expect(unreached == ["kube.apply:\(ns)/Deployment/web"])
            #expect(apply.stderr.contains("Not reached (1 planned effect not performed):\n  - kube.apply:\(ns)/Deployment/web (change)\n"), "\(apply.summary)")
            #expect(try kube.field("configmap", "app-config", namespace: ns, ".data.greeting") == "bye", "the write before the drift was performed")
            #expect(try kube.field("deployment", "web", namespace: ns, ".metadata.labels.edited-by") == "hand")
            #expect(try kube.field("deployment", "web", namespace: ns, ".metadata.generation") == generation)
            #expect(try kube.field("deployment", "web", namespace: ns, ".spec.template.spec.containers[0].image") == "127.0.0.1:5000/unidesk/demo:v1")
        }
    }

    @Test("objects of one kind in one kube.apply call: applied one by one, each after its comparison with the plan")
    func oneCallAppliedAsPlanned() throws {
        try withRecipe(Self.twoConfigMapsInOneCall) { kube, p in
            #expect(try p.perform(vars(greeting: "hello") + grant).exitCode == 0)
            #expect(try p.plan(vars(greeting: "bye") + grant).exitCode == 0)
            let apply = try p.apply(grant)
            #expect(apply.exitCode == 0, "\(apply.summary)")
            #expect(p.applied["performed_writes"] as? Int == 2, "\(p.applied)")
            #expect(try kube.field("configmap", "b", namespace: ns, ".data.greeting") == "bye")
        }
    }

    @Test("the second object of one kube.apply call edited by hand: exit 6 at it, and it is not written")
    func oneCallEditedBehindUnidesksBack() throws {
        try withRecipe(Self.twoConfigMapsInOneCall) { kube, p in
            #expect(try p.perform(vars(greeting: "hello") + grant).exitCode == 0)
            #expect(try p.plan(vars(greeting: "bye") + grant).exitCode == 0)
            try kube.kubectl(["label", "configmap", "b", "-n", ns, "edited-by=hand"])
            let edited = try kube.resourceVersion("configmap", "b", namespace: ns)

            let apply = try p.apply(grant)
            #expect(apply.exitCode == 6, "\(apply.summary)")
            #expect((p.applied["drift"] as? [String: Any])?["capability"] as? String == "kube.apply:\(ns)/ConfigMap/b", "\(p.applied)")
            #expect(p.applied["performed_writes"] as? Int == 1, "\(p.applied)")
            #expect(try kube.field("configmap", "a", namespace: ns, ".data.greeting") == "bye")
            #expect(try kube.field("configmap", "b", namespace: ns, ".data.greeting") == "hello", "refused, so not written")
            #expect(try kube.resourceVersion("configmap", "b", namespace: ns) == edited)
        }
    }
}
