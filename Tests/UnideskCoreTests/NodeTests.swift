import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData
import UnideskTestSupport

/// unidesk.kube against a real node: scripts/stack/node-up attaches containerd, kubelet,
/// kube-scheduler and kube-proxy to kube-up's API server, so Pods run. Each test works in a
/// namespace of its own and deletes it. Needs kube-up's and node-up's env.sh (UNIDESK_KUBE_*,
/// UNIDESK_NODE_*); a missing one fails the test with what to start.
@Suite(.serialized) struct NodeTests {
    let ns = "node-\(UUID().uuidString.prefix(8).lowercased())"

    func node(_ name: String) throws -> String { try StackEnvironment.node.value(name) }

    /// Runs `lua` as admin with `NS` set to this test's namespace (created first, deleted after).
    func run(_ lua: String, timeout: Double = 240) throws -> RunReport {
        var env = ProcessInfo.processInfo.environment
        env["KUBECONFIG"] = try node("UNIDESK_KUBECONFIG_ADMIN_TOKEN")
        let t = try TempRecipe(["recipe.lua": """
            local kube = require 'unidesk.kube'
            local time = require 'unidesk.time'
            local NS = '\(ns)'
            -- phase(name, seconds, ended): polls the Pod until Succeeded, Failed, or (unless ended)
            -- Running with Ready=True
            local function phase(name, seconds, ended)
              local deadline = time.monotonic() + seconds
              while true do
                local p = kube.get{ kind = 'Pod', name = name, namespace = NS }
                local st = p and p.status or {}
                local ready = false
                for _, c in ipairs(st.conditions or {}) do
                  if c.type == 'Ready' and c.status == 'True' then ready = true end
                end
                if st.phase == 'Succeeded' or st.phase == 'Failed' or (st.phase == 'Running' and ready and not ended) then return p end
                if time.monotonic() > deadline then return p end
                time.sleep(0.5)
              end
            end
            local function message(p)
              local cs = p.status.containerStatuses and p.status.containerStatuses[1]
              return cs and cs.state and cs.state.terminated and cs.state.terminated.message or ''
            end

            """ + lua])
        var o = EngineOptions()
        o.mode = .run
        o.color = false
        o.timeout = timeout
        o.stateDirectory = t.state
        try o.policy.add(allow: ["kube.*"], deny: [])
        o.environment = env
        return Engine(options: o, libraries: Libraries.all).run(recipePath: "\(t.dir)/recipe.lua")
    }

    func outputs(_ r: RunReport) -> [String: DataValue] { Dictionary(uniqueKeysWithValues: r.outputs) }

    func withNamespace<T>(_ body: () throws -> T) throws -> T {
        // A Pod is refused until the token controller has given the namespace's `default`
        // ServiceAccount its token (the ServiceAccount admission plugin): wait for it.
        let made = try run("""
            kube.apply({ apiVersion = 'v1', kind = 'Namespace', metadata = { name = NS } })
            local deadline = time.monotonic() + 60
            repeat
              local sa = kube.get{ kind = 'ServiceAccount', name = 'default', namespace = NS }
              if sa and sa.secrets and sa.secrets[1] then return end
              time.sleep(0.2)
            until time.monotonic() > deadline
            error('the default ServiceAccount of ' .. NS .. ' got no token within 60 s')
            """)
        try #require(made.exitCode == .ok, "\(made.error?.message ?? "")")
        defer { _ = try? run("kube.delete{ kind = 'Namespace', name = NS }") }
        return try body()
    }

    /// The report apiprobe left as the container's termination message.
    struct ProbeReport: Decodable { let url: String; let status: Int?; let body: String?; let error: String? }
    func probeReport(_ v: DataValue?) throws -> ProbeReport {
        try JSONDecoder().decode(ProbeReport.self, from: Data((v?.stringValue ?? "").utf8))
    }

    @Test func theNodeIsReadyWithAKubeletOfTheSameVersion() throws {
        let name = try node("UNIDESK_NODE_NAME")
        let r = try run("""
            local n = kube.get{ kind = 'Node', name = '\(name)' }
            for _, c in ipairs(n.status.conditions) do if c.type == 'Ready' then unidesk.output('ready', c.status) end end
            unidesk.output('kubelet', n.status.nodeInfo.kubeletVersion)
            unidesk.output('runtime', n.status.nodeInfo.containerRuntimeVersion)
            """)
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(outputs(r)["ready"] == .string("True"))
        #expect(outputs(r)["kubelet"] == .string(try node("UNIDESK_KUBE_VERSION")))
        #expect(outputs(r)["runtime"]?.stringValue?.hasPrefix("containerd://") == true)
    }

    /// The token controller of kube-up's controller-manager gives a new namespace's `default`
    /// ServiceAccount a token Secret: the Secret a Pod's token volume mounts.
    @Test func aNewNamespaceGetsADefaultServiceAccountWithAToken() throws {
        try withNamespace {
            let r = try run("""
                local deadline = time.monotonic() + 30
                local sa
                repeat
                  sa = kube.get{ kind = 'ServiceAccount', name = 'default', namespace = NS }
                  if sa and sa.secrets and sa.secrets[1] then break end
                  time.sleep(0.2)
                until time.monotonic() > deadline
                local s = kube.get{ kind = 'Secret', name = sa.secrets[1].name, namespace = NS }
                unidesk.output('type', s.type)
                unidesk.output('has_token', s.data.token ~= nil and s.data['ca.crt'] ~= nil)
                """)
            #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
            #expect(outputs(r)["type"] == .string("kubernetes.io/service-account-token"))
            #expect(outputs(r)["has_token"] == .bool(true))
        }
    }

    /// A Pod from the stack registry (pulled through containerd's plain-HTTP mirror) becomes
    /// Ready by its HTTP readiness probe, with an address on the node's bridge.
    @Test func aPodFromTheStackRegistryRunsAndIsReady() throws {
        let image = "\(try node("UNIDESK_NODE_REGISTRY"))/unidesk/demo:v1"
        try withNamespace {
            let r = try run("""
                kube.apply({ apiVersion = 'v1', kind = 'Pod', metadata = { name = 'demo', namespace = NS },
                  spec = { containers = { { name = 'demo', image = '\(image)',
                    volumeMounts = { { name = 'data', mountPath = '/data' } },
                    readinessProbe = { httpGet = { path = '/health', port = 8080 }, periodSeconds = 1 } } },
                    volumes = { { name = 'data', emptyDir = {} } } } })
                local p = phase('demo', 120)
                unidesk.output('phase', p.status.phase)
                unidesk.output('ip', p.status.podIP or '')
                unidesk.output('node', p.spec.nodeName or '')
                """)
            #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
            #expect(outputs(r)["phase"] == .string("Running"))
            let gateway = try node("UNIDESK_NODE_GATEWAY")
            let prefix = String(gateway[..<gateway.lastIndex(of: ".")!]) + "."
            #expect(outputs(r)["ip"]?.stringValue?.hasPrefix(prefix) == true, "\(String(describing: outputs(r)["ip"]))")
            #expect(outputs(r)["node"] == .string(try node("UNIDESK_NODE_NAME")))
        }
    }

    /// A Job's pod has no nodeName until kube-scheduler binds it; kube.wait sees it Complete.
    @Test func aJobCompletes() throws {
        let image = "\(try node("UNIDESK_NODE_REGISTRY"))/unidesk/demo:v1"
        try withNamespace {
            let r = try run("""
                kube.apply({ apiVersion = 'batch/v1', kind = 'Job', metadata = { name = 'once', namespace = NS },
                  spec = { backoffLimit = 0, template = { spec = { restartPolicy = 'Never',
                    containers = { { name = 'once', image = '\(image)', command = { '/bin/sh', '-c', 'exit 0' } } } } } } })
                local job = kube.wait{ kind = 'Job', name = 'once', namespace = NS, condition = 'Complete', timeout = 120 }
                unidesk.output('succeeded', job.status.succeeded)
                local pods = kube.list{ kind = 'Pod', namespace = NS, labels = 'job-name=once' }
                unidesk.output('node', pods[1].spec.nodeName)
                """)
            #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
            #expect(outputs(r)["succeeded"] == .int(1))
            #expect(outputs(r)["node"] == .string(try node("UNIDESK_NODE_NAME")))
        }
    }

    /// From inside a pod: the mounted ServiceAccount token and CA reach the API server through
    /// the `kubernetes` Service (KUBERNETES_SERVICE_HOST, rewritten by kube-proxy); the token is
    /// the ServiceAccount's (a RoleBinding lets it read its own Pod, nothing in kube-system).
    @Test func aPodReachesTheAPIThroughTheKubernetesServiceWithItsToken() throws {
        let probe = try node("UNIDESK_NODE_PROBE_IMAGE")
        let serviceIP = try node("UNIDESK_NODE_API_SERVICE_IP")
        try withNamespace {
            let r = try run("""
                kube.apply({ apiVersion = 'rbac.authorization.k8s.io/v1', kind = 'RoleBinding',
                  metadata = { name = 'probe-view', namespace = NS },
                  roleRef = { apiGroup = 'rbac.authorization.k8s.io', kind = 'ClusterRole', name = 'view' },
                  subjects = { { kind = 'ServiceAccount', name = 'default', namespace = NS } } })
                local function pod(name, path)
                  kube.apply({ apiVersion = 'v1', kind = 'Pod', metadata = { name = name, namespace = NS },
                    spec = { restartPolicy = 'Never', containers = { { name = 'probe', image = '\(probe)',
                      imagePullPolicy = 'Never', args = { path } } } } })
                end
                pod('own', '/api/v1/namespaces/{namespace}/pods/{pod}')
                pod('other', '/api/v1/namespaces/kube-system/secrets')
                local own, other = phase('own', 90, true), phase('other', 90, true)
                unidesk.output('own_phase', own.status.phase)
                unidesk.output('own', message(own))
                unidesk.output('other_phase', other.status.phase)
                unidesk.output('other', message(other))
                """)
            #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
            #expect(outputs(r)["own_phase"] == .string("Succeeded"), "\(String(describing: outputs(r)["own"]))")
            let own = try probeReport(outputs(r)["own"])
            #expect(own.url == "https://\(serviceIP):443/api/v1/namespaces/\(ns)/pods/own")
            #expect(own.status == 200 && own.error == nil, "\(own)")
            #expect(own.body?.contains("\"name\":\"own\"") == true)
            #expect(outputs(r)["other_phase"] == .string("Failed"))
            let other = try probeReport(outputs(r)["other"])
            #expect(other.status == 403)
            #expect(other.body?.contains("system:serviceaccount:\(ns):default") == true, "\(other)")
        }
    }

    /// A hostNetwork pod shares the node's network: its address is the node's, and it reaches
    /// the API server on 127.0.0.1 with its token.
    @Test func aHostNetworkPodReachesTheAPIServerOnLoopback() throws {
        let probe = try node("UNIDESK_NODE_PROBE_IMAGE")
        let server = try node("UNIDESK_KUBE_SERVER")
        try withNamespace {
            let r = try run("""
                kube.apply({ apiVersion = 'rbac.authorization.k8s.io/v1', kind = 'RoleBinding',
                  metadata = { name = 'probe-view', namespace = NS },
                  roleRef = { apiGroup = 'rbac.authorization.k8s.io', kind = 'ClusterRole', name = 'view' },
                  subjects = { { kind = 'ServiceAccount', name = 'default', namespace = NS } } })
                kube.apply({ apiVersion = 'v1', kind = 'Pod', metadata = { name = 'hostnet', namespace = NS },
                  spec = { restartPolicy = 'Never', hostNetwork = true, containers = { { name = 'probe', image = '\(probe)',
                    imagePullPolicy = 'Never', args = { '-server', '\(server)', '/api/v1/namespaces/{namespace}/pods/hostnet' } } } } })
                local p = phase('hostnet', 90, true)
                unidesk.output('phase', p.status.phase)
                unidesk.output('ip', p.status.podIP or '')
                unidesk.output('report', message(p))
                """)
            #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
            #expect(outputs(r)["phase"] == .string("Succeeded"), "\(String(describing: outputs(r)["report"]))")
            #expect(outputs(r)["ip"] == .string(try node("UNIDESK_NODE_GATEWAY")))
            let report = try probeReport(outputs(r)["report"])
            #expect(report.url == "\(server)/api/v1/namespaces/\(ns)/pods/hostnet")
            #expect(report.status == 200, "\(report)")
        }
    }
}
