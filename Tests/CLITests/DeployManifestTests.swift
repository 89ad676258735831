import Foundation
import Testing
import UnideskProcess
import UnideskTestSupport

/// deploy/kubernetes and deploy/tekton: well-formed, every image a digest placeholder that
/// deploy/set-image fills in, server-side dry runs against the stack's kube-apiserver (v1.20)
/// with Tekton's published CRDs installed (and removed again), the Tekton objects against
/// Tekton's full v1 schema (python3-jsonschema; Tests/fixtures/tekton/README.md says why
/// both), the Role's least privilege with `kubectl auth can-i`, and the Task's step script
/// run with the real unidesk against the apiserver in all three modes.
@Suite("Deploy manifests", .serialized)
struct DeployManifestTests {
    static let deploy = "\(repositoryRoot)/deploy"
    static let check = "\(repositoryRoot)/Tests/fixtures/deploy/manifest_check.py"
    static let tektonServerCRDs = "\(repositoryRoot)/Tests/fixtures/tekton/v0.69.1"
    static let tektonSchemaCRDs = "\(repositoryRoot)/Tests/fixtures/tekton/v1.15.0"
    static let python = "/usr/bin/python3"
    static let zero = String(repeating: "0", count: 64)
    static let placeholders = ["registry.invalid/unidesk@sha256:\(zero)", "registry.invalid/unidesk-compose@sha256:\(zero)"]

    /// Every YAML file under deploy/.
    static var manifests: [String] {
        let e = FileManager.default.enumerator(atPath: deploy)?.allObjects as? [String] ?? []
        return e.filter { $0.hasSuffix(".yaml") }.sorted().map { "\(deploy)/\($0)" }
    }

    static func file(_ relative: String) -> String { "\(deploy)/\(relative)" }

    /// Runs a command; returns its result whatever the exit code.
    static func command(_ argv: [String], environment extra: [String: String] = [:], directory: String? = nil,
                        timeout: Double = 120) throws -> CommandResult {
        let env = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        return try Command.run(argv, environment: env, directory: directory, timeout: timeout)
    }

    /// manifest_check.py MODE ARGS…, which must exit 0; its stdout.
    @discardableResult
    static func checkTool(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try StackTool.run([python, check] + args, sourceLocation: sourceLocation)
    }

    // MARK: - Files

    @Test("every manifest is well-formed YAML with apiVersion, kind and a name, and both kustomizations build")
    func wellFormed() throws {
        let files = Self.manifests
        #expect(files.count >= 15, "deploy/ has \(files.count) YAML files")
        for f in files {
            let r = try Self.command([Self.python, "-c", """
                import sys, yaml
                n = 0
                for d in yaml.safe_load_all(open(sys.argv[1])):
                    if d is None: continue
                    n += 1
                    assert isinstance(d, dict), "not a mapping"
                    assert d.get("apiVersion") and d.get("kind"), "no apiVersion or kind"
                    if d["kind"] != "Kustomization":
                        m = d.get("metadata") or {}
                        assert m.get("name") or m.get("generateName"), "no metadata.name"
                        assert "namespace" not in m, "a namespace in the manifest (apply with -n or kustomize's namespace:)"
                assert n > 0, "no document"
                """, f])
            #expect(r.status == 0, "\(f): \(r.stderrTail(3))")
        }
        let kubectl = try StackEnvironment.any.executable("UNIDESK_KUBECTL")
        for dir in ["kubernetes", "tekton"] {
            let r = try Self.command([kubectl, "kustomize", Self.file(dir)])
            #expect(r.status == 0, "kubectl kustomize deploy/\(dir): \(r.stderrTail())")
        }
    }

    @Test("every image reference is a digest placeholder, and deploy/set-image replaces each with a pinned reference")
    func imagesAreDigestPlaceholders() throws {
        let lines = try Self.checkTool(["images"] + Self.manifests).split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        let files = Set(lines.map { $0[0] })
        // Each workload manifest names its image; nothing else does.
        for f in ["kubernetes/job.yaml", "kubernetes/cronjob-quick-lane.yaml", "tekton/task-unidesk-run.yaml", "tekton/job-unidesk-run.yaml"] {
            #expect(files.contains(Self.file(f)), "\(f) names no image")
        }
        for l in lines { #expect(Self.placeholders.contains(l[2]), "\(l[0]) \(l[1]): \(l[2]) is not a digest placeholder") }

        let copy = try TempDir(prefix: "i19-deploy-set-image")
        defer { copy.remove() }
        try StackTool.run(["cp", "-R", Self.deploy + "/.", copy.path("deploy")])
        let image = "127.0.0.1:5000/unidesk@sha256:" + String(repeating: "ab", count: 32)
        let compose = "127.0.0.1:5000/unidesk-compose@sha256:" + String(repeating: "cd", count: 32)
        // A reference without a digest is refused, and nothing is changed.
        let tag = try Self.command([copy.path("deploy/set-image"), "127.0.0.1:5000/unidesk:v1", copy.path("deploy")])
        #expect(tag.status == 2 && tag.stderrText.contains("pinned by digest"), "set-image with a tag: exit \(tag.status) \(tag.stderrTail())")
        let set = try Self.command([copy.path("deploy/set-image"), image, "--compose", compose, copy.path("deploy")])
        #expect(set.status == 0, "set-image: \(set.stderrTail())")
        let copied = Self.manifests.map { copy.path("deploy" + $0.dropFirst(Self.deploy.count)) }
        let after = try Self.checkTool(["images"] + copied).split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(after.count == lines.count)
        for l in after {
            #expect(l[2] == (l[0].hasSuffix("cronjob-quick-lane.yaml") ? compose : image), "\(l[0]) \(l[1]): \(l[2])")
        }
        // No placeholder left anywhere (a PipelineRun's approved digest is not an image).
        let left = try Self.command(["grep", "-rlF", "--include=*.yaml", "registry.invalid/", copy.path("deploy")])
        #expect(left.status == 1, "placeholders left in: \(left.stdoutText)")
        // Again with the same references: nothing changes; with a new one: every manifest moves to it.
        let before = try Self.checkTool(["images"] + copied)
        let again = try Self.command([copy.path("deploy/set-image"), image, "--compose", compose, copy.path("deploy")])
        let afterAgain = try Self.checkTool(["images"] + copied)
        #expect(again.status == 0 && afterAgain == before, "\(again.stderrTail())")
        let next = "127.0.0.1:5000/ci/unidesk@sha256:" + String(repeating: "ef", count: 32)
        let moved = try Self.command([copy.path("deploy/set-image"), next, copy.path("deploy")])
        #expect(moved.status == 0)
        let movedLines = try Self.checkTool(["images"] + copied).split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        for l in movedLines {
            #expect(l[2] == (l[0].hasSuffix("cronjob-quick-lane.yaml") ? compose : next), "\(l[0]) \(l[1]): \(l[2])")
        }
        // What scripts/image --push prints has a tag before the digest: a later run moves it too.
        let tagged = "127.0.0.1:5000/ci/unidesk:test@sha256:" + String(repeating: "01", count: 32)
        let taggedNext = "127.0.0.1:5000/ci/unidesk:test@sha256:" + String(repeating: "02", count: 32)
        for ref in [tagged, taggedNext] {
            let r = try Self.command([copy.path("deploy/set-image"), ref, copy.path("deploy")])
            #expect(r.status == 0, "\(r.stderrTail())")
        }
        for l in try Self.checkTool(["images"] + copied).split(separator: "\n").map({ $0.split(separator: "\t").map(String.init) }) {
            #expect(l[2] == (l[0].hasSuffix("cronjob-quick-lane.yaml") ? compose : taggedNext), "\(l[0]) \(l[1]): \(l[2])")
        }
    }

    @Test("the Task's step script is deploy/tekton/unidesk-run.sh byte for byte, and the Tekton kustomization's ConfigMap carries it")
    func taskScriptIsTheStepScript() throws {
        let script = try String(contentsOfFile: Self.file("tekton/unidesk-run.sh"), encoding: .utf8)
        let inTask = try StackTool.run([Self.python, "-c", """
            import sys, yaml
            sys.stdout.write(yaml.safe_load(open(sys.argv[1]))["spec"]["steps"][0]["script"])
            """, Self.file("tekton/task-unidesk-run.yaml")])
        #expect(inTask == script.trimmingCharacters(in: .whitespacesAndNewlines), "the Task's script differs from unidesk-run.sh: run deploy/tekton/embed-script")
        let kubectl = try StackEnvironment.any.executable("UNIDESK_KUBECTL")
        let work = try TempDir(prefix: "i19-deploy-kustomize")
        defer { work.remove() }
        try work.write("tekton.yaml", try StackTool.run([kubectl, "kustomize", Self.file("tekton")]))
        let data = try StackTool.run([Self.python, "-c", """
            import sys, yaml
            for d in yaml.safe_load_all(open(sys.argv[1])):
                if d and d["kind"] == "ConfigMap" and d["metadata"]["name"] == "unidesk-run-script":
                    sys.stdout.write(d["data"]["unidesk-run.sh"])
            """, work.path("tekton.yaml")])
        #expect(data == script.trimmingCharacters(in: .whitespacesAndNewlines))
        // The Job runs the same file from that ConfigMap, with the same env names as the Task.
        let job = try String(contentsOfFile: Self.file("tekton/job-unidesk-run.yaml"), encoding: .utf8)
        let task = try String(contentsOfFile: Self.file("tekton/task-unidesk-run.yaml"), encoding: .utf8)
        #expect(job.contains("/tekton-step/unidesk-run.sh") && job.contains("name: unidesk-run-script"))
        for name in ["UNIDESK_SOURCE", "UNIDESK_MODE", "UNIDESK_RECIPE", "UNIDESK_POLICY", "UNIDESK_PLAN_FILE",
                     "UNIDESK_APPROVED_PLAN_DIGEST", "UNIDESK_OUTPUT_DIR", "RESULT_STATUS", "RESULT_EXIT_CODE",
                     "RESULT_PLAN_DIGEST", "UNIDESK_STATE_DB", "HOME", "TMPDIR"] {
            #expect(task.contains("- name: \(name)\n") && job.contains("- name: \(name)\n"), "\(name) is not set by both the Task and the Job")
        }
    }

    @Test("the Jobs and the CronJob run once, never again by themselves, non-root where they can, and the CronJob never overlaps itself")
    func workloadPolicies() throws {
        let out = try Self.command([Self.python, "-c", """
            import sys, yaml
            def load(p): return yaml.safe_load(open(p))
            bad = []
            def pod(spec, where, root_ok=False):
                if spec.get("restartPolicy") != "Never": bad.append(f"{where}: restartPolicy is not Never")
                if not isinstance(spec.get("terminationGracePeriodSeconds"), int): bad.append(f"{where}: no terminationGracePeriodSeconds")
                for c in spec["containers"]:
                    sc = c.get("securityContext", {})
                    if sc.get("allowPrivilegeEscalation") is not False: bad.append(f"{where}: allowPrivilegeEscalation")
                    if sc.get("readOnlyRootFilesystem") is not True: bad.append(f"{where}: root filesystem not read-only")
                    if sc.get("capabilities", {}).get("drop") != ["ALL"]: bad.append(f"{where}: capabilities not dropped")
                    if not root_ok and spec.get("securityContext", {}).get("runAsNonRoot") is not True: bad.append(f"{where}: not runAsNonRoot")
            for f in ["kubernetes/job.yaml", "tekton/job-unidesk-run.yaml"]:
                j = load(sys.argv[1] + "/" + f)
                if j["spec"].get("backoffLimit") != 0: bad.append(f"{f}: backoffLimit is not 0")
                pod(j["spec"]["template"]["spec"], f)
            c = load(sys.argv[1] + "/kubernetes/cronjob-quick-lane.yaml")
            if c["spec"].get("concurrencyPolicy") != "Forbid": bad.append("cronjob: concurrencyPolicy is not Forbid")
            if c["spec"]["jobTemplate"]["spec"].get("backoffLimit") != 0: bad.append("cronjob: backoffLimit is not 0")
            pod(c["spec"]["jobTemplate"]["spec"]["template"]["spec"], "cronjob", root_ok=True)
            t = load(sys.argv[1] + "/tekton/task-unidesk-run.yaml")
            for st in t["spec"]["steps"]:
                sc = st.get("securityContext", {})
                if sc.get("runAsNonRoot") is not True or sc.get("readOnlyRootFilesystem") is not True: bad.append("task: step not non-root with a read-only root")
            print("\\n".join(bad))
            """, Self.deploy])
        #expect(out.status == 0 && out.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(out.stdoutText)\(out.stderrTail())")
    }

    func writeTemp(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("i19-deploy-\(UUID().uuidString).yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    // MARK: - Tekton

    @Test("the Task, Pipelines and PipelineRuns pass Tekton's full v1 schema (strict), and a misspelt field fails it")
    func tektonSchema() throws {
        let crds = ["300-task.yaml", "300-pipeline.yaml", "300-pipelinerun.yaml"].map { "\(Self.tektonSchemaCRDs)/\($0)" }
        let tekton = Self.manifests.filter { $0.contains("/tekton/") && !$0.hasSuffix("kustomization.yaml") }
        let ok = try Self.command([Self.python, Self.check, "schema"] + crds + ["--"] + tekton)
        #expect(ok.status == 0, "schema errors:\n\(ok.stdoutText)")
        #expect(ok.stderrText.contains("checked 5 Tekton objects, 0 errors"), "\(ok.stderrText)")
        // The check is not vacuous: a Task with a misspelt step field and a result without a
        // name fails it, naming both.
        let task = try String(contentsOfFile: Self.file("tekton/task-unidesk-run.yaml"), encoding: .utf8)
        let bad = try writeTemp(task.replacingOccurrences(of: "      workingDir:", with: "      workingdir:")
            .replacingOccurrences(of: "    - name: plan-digest\n", with: "    - nme: plan-digest\n"))
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let r = try Self.command([Self.python, Self.check, "schema"] + crds + ["--", bad])
        #expect(r.status == 1)
        #expect(r.stdoutText.contains("spec.steps.0: Additional properties are not allowed ('workingdir' was unexpected)"), "\(r.stdoutText)")
        #expect(r.stdoutText.contains("spec.results.2: 'name' is a required property"), "\(r.stdoutText)")
    }

    @Test("with Tekton's CRDs installed, the Task, Pipelines and PipelineRuns pass a server-side dry run unchanged; the CRDs are removed after")
    func tektonServerDryRun() throws {
        let kube = try KubeStack()
        let ns = "i19-deploy-tekton-\(UUID().uuidString.prefix(8).lowercased())"
        let crds = ["300-task.yaml", "300-pipeline.yaml", "300-pipelinerun.yaml"].map { "\(Self.tektonServerCRDs)/\($0)" }
        let crdNames = ["tasks.tekton.dev", "pipelines.tekton.dev", "pipelineruns.tekton.dev"]
        try kube.kubectl(["apply"] + crds.flatMap { ["-f", $0] })
        defer {
            StackTool.tryRun([kube.kubectl, "delete", "crd"] + crdNames + ["--ignore-not-found"], environment: kube.environment)
        }
        try kube.kubectl(["wait", "--for", "condition=established", "--timeout=60s"] + crdNames.map { "crd/\($0)" })
        try kube.createNamespace(ns)
        defer { kube.deleteNamespace(ns) }

        let work = try TempDir(prefix: "i19-deploy-dry")
        defer { work.remove() }
        for (verb, files) in [("apply", ["task-unidesk-run.yaml", "pipeline-unidesk-plan.yaml", "pipeline-unidesk-apply.yaml"]),
                              ("create", ["pipelinerun-plan.yaml", "pipelinerun-apply.yaml"])] {
            for f in files {
                let answer = try kube.kubectl([verb, "--dry-run=server", "-n", ns, "-o", "json", "-f", Self.file("tekton/\(f)")])
                try work.write("\(f).json", answer)
                // Every field sent comes back: nothing was refused or pruned.
                let r = try Self.command([Self.python, Self.check, "subset", Self.file("tekton/\(f)"), work.path("\(f).json")])
                #expect(r.status == 0, "\(f): \(r.stdoutText)")
            }
        }
        // A dry run stores nothing.
        #expect(try kube.kubectl(["get", "tasks.tekton.dev,pipelines.tekton.dev", "-n", ns, "-o", "name"]) == "")
    }

    // MARK: - Kubernetes

    @Test("deploy/kubernetes in a namespace: the Role lets the ServiceAccount get, create and patch ConfigMaps and Deployments there and nothing more")
    func leastPrivilege() throws {
        let kube = try KubeStack()
        let id = UUID().uuidString.prefix(8).lowercased()
        let ns = "i19-deploy-k8s-\(id)", other = "i19-deploy-other-\(id)"
        try kube.createNamespace(ns)
        defer { kube.deleteNamespace(ns) }
        try kube.createNamespace(other)
        defer { kube.deleteNamespace(other) }
        let built = try writeTemp(try kube.kubectl(["kustomize", Self.file("kubernetes")]))
        defer { try? FileManager.default.removeItem(atPath: built) }
        try kube.kubectl(["apply", "-n", ns, "-f", built])

        let who = "system:serviceaccount:\(ns):unidesk"
        func can(_ verb: String, _ resource: String, in namespace: String) throws -> Bool {
            let env = ProcessInfo.processInfo.environment.merging(kube.environment) { $1 }
            let r = try Command.run([kube.kubectl, "auth", "can-i", verb, resource, "-n", namespace, "--as=\(who)"], environment: env, timeout: 60)
            let answer = r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(answer == "yes" || answer == "no", "can-i \(verb) \(resource): \(answer) \(r.stderrTail())")
            return answer == "yes"
        }
        for verb in ["get", "create", "patch"] {
            #expect(try can(verb, "configmaps", in: ns), "cannot \(verb) configmaps in \(ns)")
            #expect(try can(verb, "deployments.apps", in: ns), "cannot \(verb) deployments in \(ns)")
            #expect(try !can(verb, "configmaps", in: other), "can \(verb) configmaps in another namespace")
            #expect(try !can(verb, "deployments.apps", in: other), "can \(verb) deployments in another namespace")
        }
        for (verb, resource) in [("get", "secrets"), ("list", "secrets"), ("list", "configmaps"), ("watch", "configmaps"),
                                 ("delete", "configmaps"), ("delete", "deployments.apps"), ("update", "configmaps"),
                                 ("create", "pods"), ("create", "roles.rbac.authorization.k8s.io"), ("create", "rolebindings.rbac.authorization.k8s.io")] {
            #expect(try !can(verb, resource, in: ns), "the Role allows \(verb) \(resource)")
        }
        #expect(try !can("patch", "configmaps", in: "default"))
    }

    @Test("every deploy/kubernetes and Tekton Job manifest passes a server-side dry run with every field kept")
    func kubernetesDryRun() throws {
        let kube = try KubeStack()
        let ns = "i19-deploy-dry-\(UUID().uuidString.prefix(8).lowercased())"
        try kube.createNamespace(ns)
        defer { kube.deleteNamespace(ns) }
        let work = try TempDir(prefix: "i19-deploy-dry")
        defer { work.remove() }
        try work.write("kustomize-kubernetes.yaml", try kube.kubectl(["kustomize", Self.file("kubernetes")]))
        try work.write("kustomize-tekton.yaml", try kube.kubectl(["kustomize", Self.file("tekton")]))
        try work.write("kustomize-tekton-configmap.yaml", try StackTool.run([Self.python, "-c", """
            import sys, yaml
            print(yaml.safe_dump_all([d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d["kind"] == "ConfigMap"]))
            """, work.path("kustomize-tekton.yaml")]))
        // The CronJob is batch/v1 (Kubernetes 1.21 and later); this apiserver (1.20) serves it
        // as batch/v1beta1 only, with the same fields: it is checked under that version.
        let cronJob = try String(contentsOfFile: Self.file("kubernetes/cronjob-quick-lane.yaml"), encoding: .utf8)
        #expect(cronJob.contains("\napiVersion: batch/v1\n"))
        try work.write("cronjob-v1beta1.yaml", cronJob.replacingOccurrences(of: "\napiVersion: batch/v1\n", with: "\napiVersion: batch/v1beta1\n"))
        let cases: [(verb: String, file: String)] = [
            ("apply", work.path("kustomize-kubernetes.yaml")),
            ("apply", work.path("kustomize-tekton-configmap.yaml")),
            ("apply", Self.file("kubernetes/secret-state-db.yaml")),
            ("apply", Self.file("kubernetes/quick-lane-settings.yaml")),
            ("create", Self.file("kubernetes/job.yaml")),
            ("create", Self.file("tekton/job-unidesk-run.yaml")),
            ("apply", work.path("cronjob-v1beta1.yaml")),
        ]
        for (i, c) in cases.enumerated() {
            let answer = try kube.kubectl([c.verb, "--dry-run=server", "-n", ns, "-o", "json", "-f", c.file])
            try work.write("answer-\(i).json", answer)
            let r = try Self.command([Self.python, Self.check, "subset", c.file, work.path("answer-\(i).json")])
            #expect(r.status == 0, "\(c.file): \(r.stdoutText)")
        }
        // The subset check is not vacuous: a field this apiserver drops (ttlSecondsAfterFinished
        // is alpha and off in 1.20) is reported.
        let job = try String(contentsOfFile: Self.file("kubernetes/job.yaml"), encoding: .utf8)
        try work.write("job-ttl.yaml", job.replacingOccurrences(of: "\n  backoffLimit: 0\n", with: "\n  backoffLimit: 0\n  ttlSecondsAfterFinished: 600\n"))
        try work.write("answer-ttl.json", try kube.kubectl(["create", "--dry-run=server", "-n", ns, "-o", "json", "-f", work.path("job-ttl.yaml")]))
        let r = try Self.command([Self.python, Self.check, "subset", work.path("job-ttl.yaml"), work.path("answer-ttl.json")])
        #expect(r.status == 1 && r.stdoutText.contains("spec.ttlSecondsAfterFinished: sent, not in the server's answer (dropped)"), "\(r.stdoutText)")
        // Nothing was stored.
        #expect(try kube.kubectl(["get", "configmaps,secrets,jobs", "-n", ns, "-l", "app.kubernetes.io/name=unidesk", "-o", "name"]) == "")
    }

    // MARK: - The Task's step, run

    /// deploy/tekton/unidesk-run.sh as the Task's step runs it (the same env and args), with
    /// the unidesk under test on PATH and the stack's kube-apiserver: plan, then apply only
    /// with the approved digest, and the results written from the report in every case.
    @Test("the step script plans, refuses an unapproved plan, applies the approved one, and writes status, exit code and plan digest from the report")
    func stepScript() throws {
        let kube = try KubeStack()
        let ns = "i19-deploy-step-\(UUID().uuidString.prefix(8).lowercased())"
        try kube.createNamespace(ns)
        defer { kube.deleteNamespace(ns) }
        let source = try TempDir(prefix: "i19-deploy-step")
        defer { source.remove() }
        try source.write("deploy/recipe.lua", """
            local kube = require "unidesk.kube"
            kube.apply({ apiVersion = "v1", kind = "ConfigMap", metadata = { name = "unidesk-step", namespace = unidesk.vars.ns },
                         data = { greeting = unidesk.vars.greeting } })
            """)
        try source.write("deploy/fail.lua", "unidesk.fail(\"the recipe failed on purpose\")\n")
        try source.write("deploy/policy.yaml", "allow:\n  - kube.apply:\(ns)/*\n")
        let binary = try Unidesk.binary().deletingLastPathComponent().path
        let tmp = try TempDir(prefix: "i19-deploy-step-tmp")
        defer { tmp.remove() }

        func step(_ env: [String: String], _ vars: [String]) throws -> (code: Int32, status: String, exitCode: String, digest: String, log: String) {
            let results = source.path("results")
            try? FileManager.default.removeItem(atPath: results)
            var e = kube.environment
            e["PATH"] = "\(binary):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            e["UNIDESK_SOURCE"] = source.url.path
            e["UNIDESK_OUTPUT_DIR"] = ".unidesk"
            e["RESULT_STATUS"] = "\(results)/status"
            e["RESULT_EXIT_CODE"] = "\(results)/exit-code"
            e["RESULT_PLAN_DIGEST"] = "\(results)/plan-digest"
            e["TMPDIR"] = tmp.url.path
            e["NO_COLOR"] = "1"
            for (k, v) in env { e[k] = v }
            let r = try Self.command(["/bin/sh", Self.file("tekton/unidesk-run.sh")] + vars, environment: e, directory: source.url.path, timeout: 180)
            func read(_ name: String) -> String { (try? String(contentsOfFile: "\(results)/\(name)", encoding: .utf8)) ?? "<missing>" }
            return (r.status, read("status"), read("exit-code"), read("plan-digest"), r.stderrTail(12))
        }
        let vars = ["ns=\(ns)", "greeting=hello"]
        let common = ["UNIDESK_POLICY": "deploy/policy.yaml", "UNIDESK_PLAN_FILE": "plan.json"]

        // plan: the plan file, plan.md, the report and JUnit; nothing applied.
        let plan = try step(common.merging(["UNIDESK_MODE": "plan", "UNIDESK_RECIPE": "deploy/recipe.lua"]) { $1 }, vars)
        #expect(plan.code == 0 && plan.status == "ok" && plan.exitCode == "0", "plan: \(plan)")
        #expect(plan.log.contains("unidesk-run: unidesk plan deploy/recipe.lua (2 vars, policy deploy/policy.yaml)"), "\(plan.log)")
        #expect(!plan.log.contains("greeting=hello"), "the step's log shows a var's value")
        let show = try Unidesk.run(["show", "plan.json", "--format", "json"], in: source.url)
        let shown = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
        let digest = try #require(shown?["plan_digest"] as? String, "show: \(show.summary)")
        #expect(plan.digest == digest, "the plan-digest result is not the plan's digest")
        for f in ["plan.json", ".unidesk/report.json", ".unidesk/junit.xml", ".unidesk/plan.md"] {
            #expect(FileManager.default.fileExists(atPath: source.path(f)), "\(f) was not written")
        }
        #expect(try kube.field("configmap", "unidesk-step", namespace: ns, ".data.greeting") == nil, "plan applied something")

        // apply with another approved digest: refused (exit 2) before unidesk apply runs.
        let other = "sha256:" + String(repeating: "0", count: 64)
        let refused = try step(common.merging(["UNIDESK_MODE": "apply", "UNIDESK_APPROVED_PLAN_DIGEST": other]) { $1 }, [])
        #expect(refused.code == 2 && refused.status == "usage_error" && refused.exitCode == "2", "\(refused)")
        #expect(refused.log.contains("the approved one is \(other)"), "\(refused.log)")
        #expect(try kube.field("configmap", "unidesk-step", namespace: ns, ".data.greeting") == nil, "an unapproved plan was applied")

        // apply with the approved digest: performed.
        let applied = try step(common.merging(["UNIDESK_MODE": "apply", "UNIDESK_APPROVED_PLAN_DIGEST": digest]) { $1 }, [])
        #expect(applied.code == 0 && applied.status == "ok" && applied.exitCode == "0" && applied.digest == digest, "\(applied)")
        #expect(try kube.field("configmap", "unidesk-step", namespace: ns, ".data.greeting") == "hello")

        // run: a failing recipe is exit 1 and status failed; no plan digest.
        let failed = try step(["UNIDESK_MODE": "run", "UNIDESK_RECIPE": "deploy/fail.lua"], [])
        #expect(failed.code == 1 && failed.status == "failed" && failed.exitCode == "1" && failed.digest == "", "\(failed)")
        // run without the policy: the write is denied, exit 3.
        let denied = try step(["UNIDESK_MODE": "run", "UNIDESK_RECIPE": "deploy/recipe.lua"], vars)
        #expect(denied.code == 3 && denied.status == "denied" && denied.exitCode == "3", "\(denied)")
        // UNIDESK_STATE_DB (the Secret's dsn): the run keeps its state in that database, and its
        // password appears in no log, report or JUnit file.
        let dsn = try StackEnvironment.postgres.value("UNIDESK_PG_ADMIN_DSN")
        let password = try StackEnvironment.postgres.value("UNIDESK_PG_ADMIN_PASSWORD")
        let key = "i19-deploy-\(UUID().uuidString.prefix(8).lowercased())/run"
        try source.write("deploy/state.lua", "local state = require \"unidesk.state\"\nstate.set(\"\(key)\", { mode = \"step\" })\n")
        try source.write("deploy/state-policy.yaml", "allow:\n  - state.*\n")
        let stated = try step(["UNIDESK_MODE": "run", "UNIDESK_RECIPE": "deploy/state.lua", "UNIDESK_POLICY": "deploy/state-policy.yaml",
                               "UNIDESK_STATE_DB": dsn], [])
        #expect(stated.code == 0 && stated.status == "ok", "\(stated)")
        let psql = try StackEnvironment.postgres.value("UNIDESK_PG_BIN") + "/psql"
        let stored = try StackTool.run([psql, dsn, "-Atc", "SELECT value->>'mode' FROM unidesk_state WHERE key = '\(key)'"])
        StackTool.tryRun([psql, dsn, "-Atc", "DELETE FROM unidesk_state WHERE key = '\(key)'"])
        #expect(stored == "step", "the step's run did not keep its state in UNIDESK_STATE_DB")
        for f in [".unidesk/report.json", ".unidesk/junit.xml"] {
            let text = (try? String(contentsOfFile: source.path(f), encoding: .utf8)) ?? ""
            #expect(!text.isEmpty && !text.contains(password), "\(f) holds the database password")
        }
        #expect(!stated.log.contains(password))

        // Bad input to the step: a clear refusal, exit 2, results written.
        let badMode = try step(["UNIDESK_MODE": "deploy", "UNIDESK_RECIPE": "deploy/recipe.lua"], [])
        #expect(badMode.code == 2 && badMode.status == "usage_error" && badMode.log.contains("mode 'deploy' is not run, plan or apply"), "\(badMode)")
        let badVar = try step(["UNIDESK_MODE": "run", "UNIDESK_RECIPE": "deploy/recipe.lua"], ["greeting"])
        #expect(badVar.code == 2 && badVar.log.contains("var 'greeting' is not NAME=VALUE"), "\(badVar)")
    }

    // MARK: - The Job's run, as its ServiceAccount

    /// job.yaml's args and env, run by the unidesk under test as the pod would run them: no
    /// kubeconfig, KUBERNETES_SERVICE_HOST/PORT set, the ServiceAccount unidesk's real token
    /// (from its token Secret), CA and namespace in a service-account directory
    /// (UNIDESK_SERVICEACCOUNT_DIR stands for the standard mount), the recipe from recipe/.
    @Test("job.yaml's command as the ServiceAccount: the ConfigMap is applied in its namespace; another namespace is denied by the grant (exit 3) and, granted, by the Role (403, exit 1)")
    func jobAsServiceAccount() throws {
        let kube = try KubeStack()
        let id = UUID().uuidString.prefix(8).lowercased()
        let ns = "i19-deploy-job-\(id)", other = "i19-deploy-job-other-\(id)"
        try kube.createNamespace(ns)
        defer { kube.deleteNamespace(ns) }
        try kube.createNamespace(other)
        defer { kube.deleteNamespace(other) }
        let built = try writeTemp(try kube.kubectl(["kustomize", Self.file("kubernetes")]))
        defer { try? FileManager.default.removeItem(atPath: built) }
        try kube.kubectl(["apply", "-n", ns, "-f", built])

        // The token controller gives the ServiceAccount a token Secret (Kubernetes 1.20).
        var secret = ""
        for _ in 0..<60 where secret.isEmpty {
            secret = try kube.field("serviceaccount", "unidesk", namespace: ns, ".secrets[0].name") ?? ""
            if secret.isEmpty { usleep(250_000) }
        }
        try #require(!secret.isEmpty, "the ServiceAccount unidesk got no token Secret")
        let sa = try TempDir(prefix: "i19-deploy-sa")
        defer { sa.remove() }
        for (file, key) in [("token", "token"), ("ca.crt", "ca\\.crt")] {
            let b64 = try #require(try kube.field("secret", secret, namespace: ns, ".data.\(key)"))
            try #require(Data(base64Encoded: b64)).write(to: sa.url.appendingPathComponent(file))
        }
        try sa.write("namespace", ns)

        // The args as job.yaml has them, the pod's paths mapped to this machine's.
        let argsJSON = try StackTool.run([Self.python, "-c", """
            import sys, yaml, json
            print(json.dumps(yaml.safe_load(open(sys.argv[1]))["spec"]["template"]["spec"]["containers"][0]["args"]))
            """, Self.file("kubernetes/job.yaml")])
        let jobArgs = try #require(try JSONSerialization.jsonObject(with: Data(argsJSON.utf8)) as? [String])
        let reports = try TempDir(prefix: "i19-deploy-reports")
        defer { reports.remove() }
        let args = jobArgs.map {
            $0.replacingOccurrences(of: "$(POD_NAMESPACE)", with: ns)
              .replacingOccurrences(of: "/recipe/", with: Self.file("kubernetes/recipe/"))
              .replacingOccurrences(of: "/reports/", with: reports.url.path + "/")
        }
        #expect(args.starts(with: ["run", Self.file("kubernetes/recipe/recipe.lua"), "--allow", "kube.apply:\(ns)/*"]), "\(args)")
        let server = try #require(URLComponents(string: try StackEnvironment.any.value("UNIDESK_KUBE_SERVER")))
        let env = ["KUBECONFIG": "", "HOME": sa.url.path, "KUBERNETES_SERVICE_HOST": server.host ?? "",
                   "KUBERNETES_SERVICE_PORT": "\(server.port ?? 443)", "UNIDESK_SERVICEACCOUNT_DIR": sa.url.path,
                   "UNIDESK_STATE_DIR": sa.path("state")]
        let ok = try Unidesk.run(args, in: reports.url, environment: env, hardTimeout: 60)
        #expect(ok.exitCode == 0, "\(ok.summary)")
        #expect(try kube.field("configmap", "unidesk-hello", namespace: ns, ".data.greeting") == "hello from unidesk")
        #expect(FileManager.default.fileExists(atPath: reports.path("report.json")) && FileManager.default.fileExists(atPath: reports.path("junit.xml")))

        let denied = try Unidesk.run(args + ["--var", "namespace=\(other)"], in: reports.url, environment: env, hardTimeout: 60)
        #expect(denied.exitCode == 3 && denied.stderr.contains("policy denied kube.apply:\(other)/ConfigMap/unidesk-hello"), "\(denied.summary)")
        let forbidden = try Unidesk.run(args + ["--var", "namespace=\(other)", "--allow", "kube.apply:*"], in: reports.url, environment: env, hardTimeout: 60)
        #expect(forbidden.exitCode == 1, "\(forbidden.summary)")
        #expect(forbidden.stderr.contains("User \"system:serviceaccount:\(ns):unidesk\" cannot patch resource \"configmaps\""), "\(forbidden.summary)")
        #expect(try kube.field("configmap", "unidesk-hello", namespace: other, ".data.greeting") == nil)
    }
}
