import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData

/// unidesk.kube as recipes use it, against the real kube-apiserver of scripts/stack/kube-up
/// (etcd, kube-apiserver 1.20 built from Debian's source, kube-controller-manager).
@Suite(.serialized) struct KubeRecipeTests {
    let ns = "ut-\(UUID().uuidString.prefix(8).lowercased())"

    /// Runs `lua` with `kubeconfig` (a UNIDESK_KUBECONFIG_* name) and a namespace of its own.
    func run(_ lua: String, kubeconfig: String? = "UNIDESK_KUBECONFIG_ADMIN_TOKEN", mode: RunMode = .run,
             env extra: [String: String] = [:], allow: [String] = ["kube.*"], timeout: Double = 120) throws -> RunReport {
        var env = ProcessInfo.processInfo.environment
        env["KUBECONFIG"] = try kubeconfig.map { try stackValue($0) }
        for (k, v) in extra { env[k] = v }
        let t = try TempRecipe(["recipe.lua": "local kube = require 'unidesk.kube'\nlocal NS = '\(ns)'\n" + lua])
        var o = EngineOptions()
        o.mode = mode
        o.color = false
        o.timeout = timeout
        o.stateDirectory = t.state
        o.vars = [("fixtures", try stackValue("UNIDESK_KUBE_FIXTURES"))]
        try o.policy.add(allow: allow, deny: [])
        o.environment = env
        return Engine(options: o, libraries: Libraries.all).run(recipePath: "\(t.dir)/recipe.lua")
    }

    func outputs(_ r: RunReport) -> [String: DataValue] { Dictionary(uniqueKeysWithValues: r.outputs) }

    func withNamespace<T>(_ body: () throws -> T) throws -> T {
        let made = try run("kube.apply({ apiVersion = 'v1', kind = 'Namespace', metadata = { name = NS } })")
        try #require(made.exitCode == .ok, "\(made.error?.message ?? "")")
        defer { _ = try? run("kube.delete{ kind = 'Namespace', name = NS }") }
        return try body()
    }

    @Test func everyAuthModeReachesTheServer() throws {
        for config in ["UNIDESK_KUBECONFIG_ADMIN_TOKEN", "UNIDESK_KUBECONFIG_ADMIN_TOKENFILE", "UNIDESK_KUBECONFIG_ADMIN_CERT",
                       "UNIDESK_KUBECONFIG_ADMIN_CERTDATA", "UNIDESK_KUBECONFIG_INSECURE", "UNIDESK_KUBECONFIG_EXEC"] {
            let r = try run("unidesk.output('ns', kube.get{ kind = 'Namespace', name = 'default' }.metadata.name)", kubeconfig: config)
            #expect(r.exitCode == .ok && outputs(r)["ns"] == .string("default"), "\(config): \(r.error?.message ?? "")")
        }
        // A context of a merged file; the viewer may read but not write.
        let viewer = try run("""
            unidesk.output('read', #kube.list{ kind = 'ConfigMap', namespace = 'default', context = 'viewer' } >= 0)
            local ok, e = pcall(kube.apply, { apiVersion = 'v1', kind = 'ConfigMap', metadata = { name = 'x', namespace = 'default' } }, { context = 'viewer' })
            unidesk.output('write', e.kind)
            """, kubeconfig: "UNIDESK_KUBECONFIG_MULTI")
        #expect(outputs(viewer)["read"] == .bool(true) && outputs(viewer)["write"] == .string("forbidden"), "\(viewer.error?.message ?? "")")
        // In-cluster: no kubeconfig, the service account's token and CA.
        let server = try stackValue("UNIDESK_KUBE_SERVER")
        let hostPort = server.replacingOccurrences(of: "https://", with: "").split(separator: ":")
        let sa = try run("unidesk.output('cm', #kube.list{ kind = 'ConfigMap', namespace = 'default' } >= 0)", kubeconfig: nil, env: [
            "KUBECONFIG": "", "HOME": "/nonexistent-home", "KUBERNETES_SERVICE_HOST": String(hostPort[0]),
            "KUBERNETES_SERVICE_PORT": String(hostPort[1]), "UNIDESK_SERVICEACCOUNT_DIR": try stackValue("UNIDESK_KUBE_SA_DIR")])
        #expect(sa.exitCode == .ok && outputs(sa)["cm"] == .bool(true), "\(sa.error?.message ?? "")")
        // An inherited proxy is not used for Kubernetes (this one does not exist).
        let proxied = try run("unidesk.output('ok', kube.get{ kind = 'Namespace', name = 'default' } ~= nil)",
                              env: ["HTTPS_PROXY": "http://127.0.0.1:1", "https_proxy": "http://127.0.0.1:1", "NO_PROXY": ""])
        #expect(outputs(proxied)["ok"] == .bool(true), "\(proxied.error?.message ?? "")")
    }

    @Test func errorsCarryTheAPIsReason() throws {
        try withNamespace {
            let r = try run("""
                unidesk.output('missing', tostring(kube.get{ kind = 'ConfigMap', name = 'nope', namespace = NS }))
                kube.apply({ apiVersion = 'v1', kind = 'ConfigMap', metadata = { name = 'owned', namespace = NS }, data = { k = '1' } })
                local ok, c = pcall(kube.apply, { apiVersion = 'v1', kind = 'ConfigMap', metadata = { name = 'owned', namespace = NS }, data = { k = '2' } }, { field_manager = 'intruder' })
                unidesk.output('conflict', { c.kind, c.causes[1].field, c.causes[1].manager })
                local forced = kube.apply({ apiVersion = 'v1', kind = 'ConfigMap', metadata = { name = 'owned', namespace = NS }, data = { k = '2' } }, { field_manager = 'intruder', force = true })
                unidesk.output('forced', forced.data.k)
                local ok2, bad = pcall(kube.apply, { apiVersion = 'v1', kind = 'ConfigMap', metadata = { name = 'Bad_Name', namespace = NS } })
                unidesk.output('invalid', { bad.kind, bad.causes[1].field })
                local ok3, unk = pcall(kube.get, { kind = 'Gizmo', name = 'x' })
                unidesk.output('unknown', unk.kind)
                """)
            #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
            #expect(outputs(r)["missing"] == .string("nil"))
            #expect(outputs(r)["conflict"] == .array([.string("conflict"), .string(".data.k"), .string("unidesk")]))
            #expect(outputs(r)["forced"] == .string("2"))
            #expect(outputs(r)["invalid"] == .array([.string("invalid"), .string("metadata.name")]))
            #expect(outputs(r)["unknown"] == .string("unknown_kind"))
            // A token the server does not know: 401.
            let wrong = NSTemporaryDirectory() + "unidesk-kubeconfig-wrong-\(ns).yaml"
            defer { try? FileManager.default.removeItem(atPath: wrong) }
            try """
                current-context: w
                clusters: [{ name: c, cluster: { server: "\(try stackValue("UNIDESK_KUBE_SERVER"))", certificate-authority: "\(try stackValue("UNIDESK_KUBE_CA"))" } }]
                users: [{ name: u, user: { token: not-a-real-token-1234 } }]
                contexts: [{ name: w, context: { cluster: c, user: u } }]
                """.write(toFile: wrong, atomically: true, encoding: .utf8)
            let unauthorized = try run("local ok, e = pcall(kube.get, { kind = 'ConfigMap', name = 'x', namespace = 'default', api_version = 'v1' }); unidesk.output('k', e.kind)",
                                       kubeconfig: nil, env: ["KUBECONFIG": wrong])
            #expect(outputs(unauthorized)["k"] == .string("unauthorized"), "\(unauthorized.error?.message ?? "")")
            #expect(!JSON.encodeForTests(unauthorized.json).contains("not-a-real-token-1234"), "the token never reaches the report")
            let limited = try run("local ok, e = pcall(kube.list, { kind = 'ConfigMap', namespace = NS }); unidesk.output('k', e.kind)",
                                  kubeconfig: "UNIDESK_KUBECONFIG_LIMITED")
            #expect(outputs(limited)["k"] == .string("forbidden"))
            #expect(!JSON.encodeForTests(limited.json).contains(try stackValue("UNIDESK_KUBE_LIMITED_TOKEN")))
        }
    }

    @Test func planModeDryRunsAndLeavesNothingBehind() throws {
        try withNamespace {
            let before = try run("kube.apply({ apiVersion = 'v1', kind = 'ConfigMap', metadata = { name = 'kept', namespace = NS }, data = { k = '1' } })")
            #expect(before.exitCode == .ok)
            let plan = try run("""
                kube.apply({ apiVersion = 'v1', kind = 'ConfigMap', metadata = { name = 'kept', namespace = NS }, data = { k = '2', extra = 'x' } })
                kube.apply({ apiVersion = 'v1', kind = 'ConfigMap', metadata = { name = 'new', namespace = NS }, data = { a = 'b' } })
                kube.apply({ apiVersion = 'v1', kind = 'ConfigMap', metadata = { name = 'kept', namespace = NS }, data = { k = '1' } })
                unidesk.output('deleted', kube.delete{ kind = 'ConfigMap', name = 'kept', namespace = NS })
                """, mode: .plan(offline: false))
            #expect(plan.exitCode == .ok, "\(plan.error?.message ?? "")")
            let verdicts = plan.audit.filter { $0.effect == .write }.map(\.verdict)
            #expect(verdicts == [.change(["data.extra: added \"x\"", "data.k: \"1\" → \"2\""]), .create, .unchanged, .delete], "\(verdicts)")
            let lines = PlanSummary(audit: plan.audit, exitCode: plan.exitCode).lines()
            #expect(lines == ["Planned effects:",
                              "  ~ change     kube.apply:\(ns)/ConfigMap/kept",
                              "      data.extra: added \"x\"",
                              "      data.k: \"1\" → \"2\"",
                              "  + create     kube.apply:\(ns)/ConfigMap/new",
                              "  - delete     kube.delete:\(ns)/ConfigMap/kept",
                              "Plan: 1 to create, 1 to change, 0 to replace, 1 to delete, 1 unchanged."], "\(lines)")
            let after = try run("""
                unidesk.output('kept', kube.get{ kind = 'ConfigMap', name = 'kept', namespace = NS }.data.k)
                unidesk.output('new', tostring(kube.get{ kind = 'ConfigMap', name = 'new', namespace = NS }))
                """)
            #expect(outputs(after)["kept"] == .string("1") && outputs(after)["new"] == .string("nil"), "dry runs stored nothing")
        }
    }

    /// A re-apply of what the cluster already holds is "No changes", however many objects:
    /// each is dry-run and compared, counted, not listed.
    @Test func planOfAnUnchangedReapplySaysNoChanges() throws {
        try withNamespace {
            let objects = """
                local docs = {}
                for i = 1, 59 do
                  docs[i] = { apiVersion = 'v1', kind = 'ConfigMap', metadata = { name = 'cm-' .. i, namespace = NS, labels = { app = 'shop' } }, data = { n = tostring(i) } }
                end

                """
            let applied = try run(objects + "kube.apply(docs)")
            #expect(applied.exitCode == .ok, "\(applied.error?.message ?? "")")
            let plan = try run(objects + "kube.apply(docs)", mode: .plan(offline: false))
            #expect(plan.exitCode == .ok, "\(plan.error?.message ?? "")")
            let summary = PlanSummary(audit: plan.audit, exitCode: plan.exitCode)
            #expect(summary.lines() == ["No changes. 59 planned effects unchanged."], "\(summary.lines())")
            let planned = plan.json["effects"]?["planned"]?.arrayValue ?? []
            #expect(planned.count == 59 && planned.allSatisfy { $0["verdict"] == .string("unchanged") }, "the report says so per object")
        }
    }

    /// A vendor's manifest names no namespace: `{namespace = NS}` places it, as kubectl -n
    /// does; a cluster-scoped object in the same stream is left alone (discovery says so);
    /// an object naming another namespace is refused before anything is sent.
    @Test func applyWithANamespacePlacesNamespacedObjectsOnly() throws {
        let role = "ut-role-\(ns)"
        try withNamespace {
            let r = try run("""
                local manifest = [[
                apiVersion: v1
                kind: ConfigMap
                metadata: { name: vendor-config }
                data: { k: v }
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: { name: \(role) }
                rules: []
                ]]
                local applied = kube.apply(manifest, { namespace = NS })
                unidesk.output('cm_ns', applied[1].metadata.namespace)
                unidesk.output('role_ns', tostring(applied[2].metadata.namespace))
                unidesk.output('stored', kube.get{ kind = 'ConfigMap', name = 'vendor-config', namespace = NS }.data.k)
                local ok, e = pcall(kube.apply, { { apiVersion = 'v1', kind = 'ConfigMap', metadata = { name = 'first' } },
                                                  { apiVersion = 'v1', kind = 'ConfigMap', metadata = { name = 'elsewhere', namespace = 'default' } } },
                                    { namespace = NS })
                unidesk.output('refused', tostring(e))
                unidesk.output('first_sent', tostring(kube.get{ kind = 'ConfigMap', name = 'first', namespace = NS }))
                kube.delete{ kind = 'ClusterRole', name = '\(role)' }
                """)
            #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
            let o = outputs(r)
            #expect(o["cm_ns"] == .string(ns))
            #expect(o["role_ns"] == .string("nil"), "a ClusterRole is cluster-scoped: \(String(describing: o["role_ns"]))")
            #expect(o["stored"] == .string("v"))
            #expect(o["refused"]?.stringValue?.contains("object 2: ConfigMap/elsewhere names namespace 'default', not '\(ns)'") == true,
                    "\(String(describing: o["refused"]))")
            #expect(o["first_sent"] == .string("nil"), "nothing was sent once an object was refused")
        }
    }

    @Test func aCRDIsDiscoveredAndMultiDocumentYAMLAppliesInOrder() throws {
        try withNamespace {
            let r = try run("""
                local fs_crd = [[\(try String(contentsOfFile: try stackValue("UNIDESK_KUBE_FIXTURES") + "/crd-widgets.yaml", encoding: .utf8))]]
                kube.apply(fs_crd)
                kube.wait{ kind = 'CustomResourceDefinition', name = 'widgets.example.unidesk.dev', condition = 'Established', timeout = 30 }
                local applied = kube.apply(string.format([[
                apiVersion: v1
                kind: ConfigMap
                metadata: { name: first, namespace: %s }
                data: { order: "1" }
                ---
                apiVersion: example.unidesk.dev/v1
                kind: Widget
                metadata: { name: w, namespace: %s }
                spec: { color: blue }
                ]], NS, NS))
                unidesk.output('kinds', { applied[1].kind, applied[2].kind })
                local w = kube.get{ kind = 'Widget', name = 'w', namespace = NS }
                unidesk.output('widget', { w.spec.color, w.spec.size })
                unidesk.output('listed', #kube.list{ kind = 'Widget', namespace = NS })
                """)
            #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
            #expect(outputs(r)["kinds"] == .array([.string("ConfigMap"), .string("Widget")]))
            #expect(outputs(r)["widget"] == .array([.string("blue"), .int(1)]), "the schema's default applied by the server")
            #expect(outputs(r)["listed"] == .int(1))
            let scope = r.audit.first { $0.capability.contains("Widget") }?.capability
            #expect(scope == "kube.apply:\(ns)/Widget/w")
            #expect(r.audit.contains { $0.capability == "kube.apply:_cluster/CustomResourceDefinition/widgets.example.unidesk.dev" })
        }
    }

    @Test func rolloutWaitSucceedsAndTimesOutWithTheReason() throws {
        try withNamespace {
            let r = try run("""
                local function deployment(name, replicas)
                  return { apiVersion = 'apps/v1', kind = 'Deployment', metadata = { name = name, namespace = NS },
                    spec = { replicas = replicas, selector = { matchLabels = { app = name } },
                      template = { metadata = { labels = { app = name } }, spec = { containers = { { name = 'web', image = 'example.invalid/web:1' } } } } } }
                end
                local stuck = deployment('stuck', 1)
                stuck.spec.progressDeadlineSeconds = 3
                kube.apply(stuck)
                kube.apply(deployment('zero', 0))
                local done = kube.wait{ kind = 'Deployment', name = 'zero', namespace = NS, timeout = 60, interval = 0.5 }
                unidesk.output('done', done.status.observedGeneration)
                kube.apply(deployment('two', 2))
                local ok, e = pcall(kube.wait, { kind = 'Deployment', name = 'two', namespace = NS, timeout = 4, interval = 0.5 })
                unidesk.output('timeout', { e.kind, e.message })
                local ok2, f = pcall(kube.wait, { kind = 'Deployment', name = 'stuck', namespace = NS, timeout = 30, interval = 0.5 })
                unidesk.output('failed', { f.kind, f.message })
                """)
            #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
            #expect(outputs(r)["done"] == .int(1))
            guard case .array(let t)? = outputs(r)["timeout"] else { Issue.record("no timeout output"); return }
            #expect(t.first == .string("timeout"))
            #expect(t.last?.stringValue?.contains("Waiting for deployment \"two\" rollout to finish") == true
                    || t.last?.stringValue?.contains("spec update to be observed") == true, "\(t)")
            #expect(outputs(r)["failed"] == .array([.string("rollout_failed"), .string("deployment \"stuck\" exceeded its progress deadline")]))
        }
    }
}
