import Foundation
import Testing
import UnideskProcess
import UnideskTestSupport

/// unidesk where CI runs: the image scripts/image builds, pushed to the stack's registry and
/// run by digest as Jobs on the real node (scripts/stack/node-up), from the shipped
/// manifests (deploy/kubernetes/job.yaml, its ServiceAccount, Role and RoleBinding). What
/// each Job did is read from the API (the pod's exit code and unidesk's termination
/// message), from the state database, and from a report written to a host directory.
/// Changed from the manifests only where this stack needs it: the image digest (as
/// deploy/set-image does), hostNetwork for the Jobs that reach the stack's PostgreSQL on
/// loopback, a host directory for the report, and the grant or args a test varies.
@Suite("unidesk in the cluster: the image as Jobs on the real node", .serialized)
struct ClusterJobTests {
    let ns = "cluster-\(UUID().uuidString.prefix(8).lowercased())"
    let kube: KubeStack

    init() throws {
        _ = try StackEnvironment.node.value("UNIDESK_NODE_NAME")
        kube = try KubeStack()
    }

    // MARK: the image, once

    nonisolated(unsafe) static var pushed: String?

    /// scripts/image --push to the stack registry; the reference by digest.
    static func image() throws -> String {
        if let pushed { return pushed }
        let registry = try StackEnvironment.any.value("UNIDESK_REG_ANON")
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        let built = try Command.run([repositoryRoot + "/scripts/image", "--push", "\(registry)/unidesk/cluster-tests:test"],
                                    environment: env, directory: repositoryRoot, timeout: 3600)
        try #require(built.status == 0, "scripts/image --push: exit \(built.status)\n\(built.stderrTail(30))")
        let last = try #require(built.stdoutText.split(whereSeparator: \.isNewline).last.map(String.init))
        let digest = try #require(last.range(of: "@sha256:").map { String(last[$0.lowerBound...]) }, "last line: \(last)")
        let ref = "\(registry)/unidesk/cluster-tests" + digest
        pushed = ref
        return ref
    }

    // MARK: manifests

    /// A shipped manifest as JSON (kubectl converts the YAML).
    func manifest(_ path: String) throws -> [String: Any] {
        let json = try kube.kubectl(["create", "--dry-run=client", "-o", "json", "-f", repositoryRoot + "/" + path])
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    /// The namespace with the shipped ServiceAccount, Role and RoleBinding, and the recipe
    /// ConfigMap `unidesk-recipe` holding `recipe` as recipe.lua.
    func prepare(recipe: String) throws -> String {
        try kube.createNamespace(ns)
        for f in ["serviceaccount.yaml", "role.yaml", "rolebinding.yaml"] {
            try kube.kubectl(["apply", "-n", ns, "-f", repositoryRoot + "/deploy/kubernetes/" + f])
        }
        // Pods of a ServiceAccount are refused until the token controller has made its token
        // (the ServiceAccount admission plugin): wait for it, bounded.
        var token = ""
        for _ in 0..<300 where token.isEmpty {
            token = try kube.field("serviceaccount", "unidesk", namespace: ns, ".secrets[0].name") ?? ""
            if token.isEmpty { Thread.sleep(forTimeInterval: 0.2) }
        }
        try #require(!token.isEmpty, "the ServiceAccount unidesk got no token within 60 s")
        let dir = try hostDirectory()
        try recipe.write(toFile: dir + "/recipe.lua", atomically: true, encoding: .utf8)
        try kube.kubectl(["create", "configmap", "unidesk-recipe", "-n", ns, "--from-file=recipe.lua=\(dir)/recipe.lua"])
        return dir
    }

    /// A directory the Job's non-root user (65532) can write, on this host (the node).
    func hostDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "unidesk-\(ns)-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir)
        return dir
    }

    /// deploy/kubernetes/job.yaml with the pushed image, a name, and `change` applied to its
    /// pod spec and its container.
    func job(_ name: String, change: (inout [String: Any], inout [String: Any]) -> Void = { _, _ in }) throws -> [String: Any] {
        try job(name, from: "deploy/kubernetes/job.yaml", change: change)
    }

    /// The Job manifest at `path` (a shipped one), the same way.
    func job(_ name: String, from path: String, change: (inout [String: Any], inout [String: Any]) -> Void) throws -> [String: Any] {
        var job = try manifest(path)
        var meta = job["metadata"] as? [String: Any] ?? [:]
        meta.removeValue(forKey: "generateName")
        meta.removeValue(forKey: "namespace")   // kubectl's client-side dry run filled in "default"
        meta["name"] = name
        job["metadata"] = meta
        var spec = job["spec"] as? [String: Any] ?? [:]
        var template = spec["template"] as? [String: Any] ?? [:]
        var pod = template["spec"] as? [String: Any] ?? [:]
        var containers = pod["containers"] as? [[String: Any]] ?? []
        var c = containers[0]
        c["image"] = try Self.image()
        change(&pod, &c)
        containers[0] = c
        pod["containers"] = containers
        template["spec"] = pod
        spec["template"] = template
        job["spec"] = spec
        return job
    }

    func create(_ object: [String: Any]) throws {
        let path = NSTemporaryDirectory() + "unidesk-\(ns)-\(UUID().uuidString).json"
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try kube.kubectl(["create", "-n", ns, "-f", path])
    }

    struct Ended {
        let phase: String
        let exitCode: Int?
        /// unidesk's termination message (JSON) or what the kubelet put there.
        let message: [String: Any]
        let raw: String
    }

    /// The Job's pod, as JSON, or nil before it exists.
    func pod(of job: String) throws -> [String: Any]? {
        let json = try kube.kubectl(["get", "pods", "-n", ns, "-l", "job-name=\(job)", "-o", "json"])
        let items = (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["items"] as? [[String: Any]]
        return items?.first
    }

    /// Waits (bounded) until the Job's pod has ended.
    func ended(_ job: String, within seconds: Int = 240) throws -> Ended {
        for _ in 0..<seconds {
            if let p = try pod(of: job), let status = p["status"] as? [String: Any],
               let phase = status["phase"] as? String, phase == "Succeeded" || phase == "Failed" {
                let term = ((status["containerStatuses"] as? [[String: Any]])?.first?["state"] as? [String: Any])?["terminated"] as? [String: Any]
                let raw = term?["message"] as? String ?? ""
                let message = (try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any]) ?? [:]
                return Ended(phase: phase, exitCode: term?["exitCode"] as? Int, message: message, raw: raw)
            }
            Thread.sleep(forTimeInterval: 1)
        }
        Issue.record("job \(job) did not end within \(seconds) s: \(try pod(of: job).map { "\($0["status"] ?? "")" } ?? "no pod")")
        throw CancellationError()
    }

    func cleanup(_ dirs: [String]) {
        kube.deleteNamespace(ns)
        for d in dirs { try? FileManager.default.removeItem(atPath: d) }
    }

    // MARK: state database

    var stateDSN: String { get throws { try StackEnvironment.any.value("UNIDESK_PG_ADMIN_DSN") } }

    /// A Secret named as deploy/kubernetes/secret-state-db.yaml, with the stack's DSN.
    func stateSecret() throws {
        try kube.kubectl(["create", "secret", "generic", "unidesk-state-db", "-n", ns, "--from-literal=dsn=\(try stateDSN)"])
    }

    /// Runs a recipe on this host against the state database.
    func hostRun(_ lua: String, hardTimeout: Double = 120) throws -> CLIResult {
        let r = try RecipeRun(lua)
        defer { r.remove() }
        return try r.run("run", ["--state-db", try stateDSN, "--allow", "state.*", "--no-color"], hardTimeout: hardTimeout)
    }

    /// A value of the state database ("" when absent), read on this host.
    func stored(_ key: String) throws -> String {
        let r = try hostRun("""
            local v = require("unidesk.state").get("\(key)")
            print(v == nil and "" or tostring(v))
            """)
        try #require(r.exitCode == 0, "\(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func setStored(_ key: String, _ value: String) throws {
        let r = try hostRun(#"require("unidesk.state").set("\#(key)", "\#(value)")"#)
        try #require(r.exitCode == 0, "\(r.stderr)")
    }

    func waitStored(_ key: String, within seconds: Int = 180) throws -> String {
        for _ in 0..<(seconds * 2) {
            let v = try stored(key)
            if !v.isEmpty { return v }
            Thread.sleep(forTimeInterval: 0.5)
        }
        Issue.record("\(key) was never stored")
        throw CancellationError()
    }

    // MARK: tests

    /// The shipped Job: its ServiceAccount may apply in its own namespace. A write to another
    /// namespace is refused by unidesk's grant (exit 3) or, granted wider, by the Role (403:
    /// exit 1, error kind forbidden).
    @Test("a Job applies a ConfigMap in its namespace and is refused in another")
    func appliesInItsNamespaceOnly() throws {
        let other = ns + "-other"
        let dir = try prepare(recipe: """
            local kube = require "unidesk.kube"
            kube.apply({ apiVersion = "v1", kind = "ConfigMap", metadata = { name = "from-job" }, data = { ok = "yes" } })
            kube.apply({ apiVersion = "v1", kind = "ConfigMap", metadata = { name = "from-job", namespace = "\(other)" }, data = { ok = "no" } })
            """)
        try kube.createNamespace(other)
        defer { kube.deleteNamespace(other); cleanup([dir]) }

        try create(try job("grant-own"))
        let own = try ended("grant-own")
        #expect(own.phase == "Failed" && own.exitCode == 3, "\(own.raw)")
        #expect(own.message["status"] as? String == "denied", "\(own.raw)")
        #expect(try kube.field("configmap", "from-job", namespace: ns, ".data.ok") == "yes", "applied in its own namespace")
        #expect(try kube.field("configmap", "from-job", namespace: other, ".data.ok") == nil)

        try create(try job("grant-wide") { _, c in
            c["args"] = ["run", "/recipe/recipe.lua", "--allow", "kube.apply:*"]
        })
        let wide = try ended("grant-wide")
        #expect(wide.phase == "Failed" && wide.exitCode == 1, "\(wide.raw)")
        #expect((wide.message["error"] as? String)?.contains("forbidden") == true, "the Role refuses it: \(wide.raw)")
        #expect(try kube.field("configmap", "from-job", namespace: other, ".data.ok") == nil)
    }

    /// deploy/tekton/job-unidesk-run.yaml: the Tekton Task's step (its script, from the
    /// ConfigMap the Tekton kustomization makes, with the Task's env and mounts) as a Job on
    /// the node, the source workspace a host directory. Plan writes the plan and the
    /// results; apply with the approved digest performs it.
    func tektonStepJob(_ name: String, mode: String, source: String, approved: String = "") throws -> [String: Any] {
        try job(name, from: "deploy/tekton/job-unidesk-run.yaml") { pod, c in
            c["env"] = (c["env"] as? [[String: Any]] ?? []).map { e in
                var e = e
                if e["name"] as? String == "UNIDESK_MODE" { e["value"] = mode }
                if e["name"] as? String == "UNIDESK_APPROVED_PLAN_DIGEST" { e["value"] = approved }
                return e
            }
            pod["volumes"] = (pod["volumes"] as? [[String: Any]] ?? []).map { v in
                v["name"] as? String == "source" ? ["name": "source", "hostPath": ["path": source, "type": "Directory"]] : v
            }
        }
    }

    @Test("the Tekton Task's step, run as a Job: plan writes the plan and its results, apply performs it")
    func tektonStepAsAJob() throws {
        let dir = try prepare(recipe: "-- unused by this test\n")
        let source = try hostDirectory()
        defer { cleanup([dir, source]) }
        try FileManager.default.createDirectory(atPath: source + "/deploy", withIntermediateDirectories: true)
        try """
            local kube = require "unidesk.kube"
            kube.apply({ apiVersion = "v1", kind = "ConfigMap", metadata = { name = "from-tekton" }, data = { env = unidesk.vars.env } })
            """.write(toFile: source + "/deploy/recipe.lua", atomically: true, encoding: .utf8)
        try "allow: [\"kube.apply:\(ns)/*\"]\n".write(toFile: source + "/deploy/policy.yaml", atomically: true, encoding: .utf8)
        try kube.kubectl(["create", "configmap", "unidesk-run-script", "-n", ns,
                          "--from-file=unidesk-run.sh=\(repositoryRoot)/deploy/tekton/unidesk-run.sh"])
        func result(_ name: String) -> String {
            ((try? String(contentsOfFile: source + "/.unidesk/results/" + name, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }

        try create(try tektonStepJob("tekton-plan", mode: "plan", source: source))
        let plan = try ended("tekton-plan")
        #expect(plan.phase == "Succeeded", "\(plan.raw)")
        #expect(result("status") == "ok" && result("exit-code") == "0", "\(result("status")) \(result("exit-code"))")
        let digest = result("plan-digest")
        #expect(digest.hasPrefix("sha256:"), "plan-digest: \(digest)")
        #expect(FileManager.default.fileExists(atPath: source + "/plan.json"))
        #expect(try kube.field("configmap", "from-tekton", namespace: ns, ".data.env") == nil, "a plan applies nothing")

        try create(try tektonStepJob("tekton-apply-wrong", mode: "apply", source: source, approved: "sha256:" + String(repeating: "0", count: 64)))
        let wrong = try ended("tekton-apply-wrong")
        #expect(wrong.phase == "Failed" && wrong.exitCode == 2, "another digest than the approved one is refused: \(wrong.raw)")
        #expect(try kube.field("configmap", "from-tekton", namespace: ns, ".data.env") == nil)

        try create(try tektonStepJob("tekton-apply", mode: "apply", source: source, approved: digest))
        let apply = try ended("tekton-apply")
        #expect(apply.phase == "Succeeded", "\(apply.raw)")
        #expect(result("status") == "ok", "\(result("status"))")
        #expect(try kube.field("configmap", "from-tekton", namespace: ns, ".data.env") == "prod", "applied, with the step's var")
    }

    /// The lock recipe: takes the app lock (waiting `wait` s), records when it held it, holds
    /// it until the host stores `<app>/release` (or `hold` s pass), then records the end.
    static func lockRecipe(app: String) -> String {
        """
        local state = require "unidesk.state"
        local time = require "unidesk.time"
        local name, wait = unidesk.vars.name, tonumber(unidesk.vars.wait)
        state.lock("\(app)", function()
          state.set("\(app)/" .. name .. "/start", string.format("%.3f", time.now()))
          local until_ = time.monotonic() + tonumber(unidesk.vars.hold)
          while time.monotonic() < until_ and not state.get("\(app)/release") do time.sleep(0.2) end
          state.set("\(app)/" .. name .. "/end", string.format("%.3f", time.now()))
        end, { timeout = wait })
        """
    }

    /// A Job of the lock recipe with --state-db from the Secret, on the host network (the
    /// stack's PostgreSQL listens on loopback only).
    func lockJob(_ name: String, hold: Int, wait: Int, grace: Int? = nil, reports: String? = nil) throws -> [String: Any] {
        try job(name) { pod, c in
            pod["hostNetwork"] = true
            if let grace { pod["terminationGracePeriodSeconds"] = grace }
            var args = ["run", "/recipe/recipe.lua", "--var", "name=\(name)", "--var", "hold=\(hold)", "--var", "wait=\(wait)", "--allow", "state.*"]
            if reports != nil { args += ["--report", "/reports/report.json"] }
            c["args"] = args
            if let reports {
                var volumes = pod["volumes"] as? [[String: Any]] ?? []
                volumes = volumes.map { v in
                    guard v["name"] as? String == "reports" else { return v }
                    return ["name": "reports", "hostPath": ["path": reports, "type": "Directory"]]
                }
                pod["volumes"] = volumes
            }
        }
    }

    /// Two Jobs of one app with --state-db: one that must not wait fails busy while another
    /// holds the lock; one that may wait runs after it, never overlapping.
    @Test("Jobs of one app serialise on the app lock in the state database")
    func jobsSerialiseOnTheAppLock() throws {
        let app = "cluster-\(ns)"
        let dir = try prepare(recipe: Self.lockRecipe(app: app))
        defer { cleanup([dir]) }
        try stateSecret()

        try create(try lockJob("holder", hold: 180, wait: 60))
        _ = try waitStored("\(app)/holder/start")
        try create(try lockJob("impatient", hold: 0, wait: 0))
        let impatient = try ended("impatient")
        #expect(impatient.exitCode == 1, "\(impatient.raw)")
        #expect((impatient.message["error"] as? String)?.contains("is locked by") == true, "\(impatient.raw)")
        try create(try lockJob("patient", hold: 0, wait: 120))
        Thread.sleep(forTimeInterval: 3)
        #expect(try stored("\(app)/patient/start").isEmpty, "the patient Job waits while the holder holds the lock")
        try setStored("\(app)/release", "yes")
        let holder = try ended("holder")
        let patient = try ended("patient")
        #expect(holder.exitCode == 0 && patient.exitCode == 0, "\(holder.raw) \(patient.raw)")
        let holderEnd = try #require(Double(try stored("\(app)/holder/end")))
        let patientStart = try #require(Double(try stored("\(app)/patient/start")))
        #expect(patientStart >= holderEnd, "the patient Job held the lock only after the holder let it go")
    }

    /// Deleting the pod sends unidesk SIGTERM: it stops within the grace (here 300 s), writes
    /// its report, and releases the app lock, which this host then takes before the grace
    /// would have ended with a SIGKILL. The kubelet's SIGTERM is not prompt on a loaded
    /// machine: in one full fresh-clone run (2 cores, the escape and node suites alongside)
    /// it came more than 60 s after the delete, so the host waits up to 240 s.
    @Test("a Job deleted mid-run stops on SIGTERM, reports it, and releases the lock")
    func deletedJobReleasesTheLock() throws {
        let app = "cluster-\(ns)"
        let dir = try prepare(recipe: Self.lockRecipe(app: app))
        let reports = try hostDirectory()
        defer { cleanup([dir, reports]) }
        try stateSecret()

        try create(try lockJob("deleted", hold: 900, wait: 30, grace: 300, reports: reports))
        _ = try waitStored("\(app)/deleted/start")
        // The Job first, its pod left (a Job replaces a pod deleted alone, and the new one
        // would take the lock; the garbage collector, which would delete it with the Job, took
        // over a minute on a loaded CI machine), then the pod: SIGTERM, SIGKILL after the grace.
        let pod = try #require(try pod(of: "deleted")?["metadata"] as? [String: Any])["name"] as? String
        try kube.kubectl(["delete", "job", "deleted", "-n", ns, "--cascade=false"])
        try kube.kubectl(["delete", "pod", try #require(pod), "-n", ns, "--wait=false"])

        // The lock is free before the grace (300 s) would end: a wait of 240 s gets it.
        let taken = try hostRun("""
            local state = require "unidesk.state"
            state.lock("\(app)", function() print("held") end, { timeout = 240 })
            """, hardTimeout: 280)
        #expect(taken.exitCode == 0 && taken.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "held", "\(taken.stderr)")
        var report: [String: Any]?
        for _ in 0..<60 where report == nil {
            if let data = FileManager.default.contents(atPath: reports + "/report.json") {
                report = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            } else {
                Thread.sleep(forTimeInterval: 1)
            }
        }
        let r = try #require(report, "unidesk wrote its report before it exited")
        #expect(r["status"] as? String == "limit" && r["exit_code"] as? Int == 4, "\(r)")
        #expect(((r["error"] as? [String: Any])?["message"] as? String)?.contains("SIGTERM") == true, "\(r)")
        #expect(try stored("\(app)/deleted/end").isEmpty, "the recipe did not run on past the stop")
    }
}
