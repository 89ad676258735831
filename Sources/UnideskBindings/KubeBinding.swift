import Foundation
import LuaRuntime
import UnideskCore
import UnideskData
import UnideskHTTP
import UnideskKube

/// `require "unidesk.kube"`: get, list, server-side apply, delete and rollout waits.
public enum KubeBinding {
    static let context = Param("context", .string, optional: true, "a kubeconfig context (default: the current one)")
    static let timeout = Param("timeout", .number, optional: true, "seconds (default 30; wait: 300), never past the run's deadline")
    static func target(_ extra: [Param]) -> Param {
        Param("args", .record([
            Param("kind", .string, "Deployment, ConfigMap, a CRD's kind…"),
            Param("api_version", .string, optional: true, "apps/v1…; default: wherever discovery finds the kind"),
            Param("namespace", .string, optional: true, "default: the context's namespace (ignored for cluster-scoped kinds)"),
        ] + extra + [context, timeout]), "")
    }
    static let errors = [
        "raises kind = forbidden | unauthorized | invalid (with causes = {field, message}) | conflict | unknown_kind | network | tls | timeout | config, with the API's message",
    ]

    static let get = PrimitiveSpec(
        module: "kube", name: "get",
        summary: "One object as a table, or nil when it does not exist. Kinds map to resources through API discovery (cached for the run), so CRDs work.",
        params: [target([Param("name", .string, "")])],
        returns: [("table|nil", "object", "")],
        effect: .read, scope: "<namespace>/<Kind>/<name> (_cluster for cluster-scoped kinds)", errors: errors,
        example: #"local d = kube.get{ kind = "Deployment", name = "web", namespace = "shop" }"#)
    static let list = PrimitiveSpec(
        module: "kube", name: "list",
        summary: "Objects of a kind in a namespace, optionally by label selector.",
        params: [target([Param("labels", .string, optional: true, "a label selector: app=web,tier!=db"),
                         Param("all_namespaces", .boolean, optional: true, "every namespace (default false)")])],
        returns: [("table[]", "objects", "each with its kind and apiVersion")],
        effect: .read, scope: "<namespace>/<Kind>/*", errors: errors)
    static let apply = PrimitiveSpec(
        module: "kube", name: "apply",
        summary: "Server-side apply (the API server merges and tracks field ownership). Takes an object, a list of objects, or YAML text (several documents are applied in order; consecutive objects of one kind, other than namespaces and CRDs, are sent 8 at a time, and an error among them is raised once all of them were sent; under `unidesk apply` each is sent alone, after its comparison with the saved plan). In plan mode the server applies with dryRun=All and the plan says, per object, created / changed (which fields) / unchanged; nothing is stored.",
        params: [Param("objects", .oneOf([.map(.any), .array(.any), .string]), "an object table, a list of them, or YAML"),
                 Param("options", .record([
                    Param("field_manager", .string, optional: true, "default \"unidesk\""),
                    Param("force", .boolean, optional: true, "take ownership of fields another manager owns (default false: that is a conflict)"),
                    Param("namespace", .string, optional: true, "as `kubectl apply -n`: namespaced objects without metadata.namespace go there; cluster-scoped ones (found by discovery) are untouched; an object naming another namespace is a bad argument"),
                    context, timeout,
                 ]), optional: true, "")],
        returns: [("table|table[]", "applied", "the object(s) as the server stored them (or would, in plan mode)")],
        effect: .write, scope: "<namespace>/<Kind>/<name>, one per object",
        errors: ["raises kind = conflict with causes = {field, manager} naming who owns each field (force = true takes them)"] + errors,
        example: #"kube.apply(fs.read("deploy/web.yaml"), { field_manager = "shop-deploy" })"#)
    static let delete = PrimitiveSpec(
        module: "kube", name: "delete",
        summary: "Deletes an object (background propagation). Returns false when it did not exist. In plan mode: dryRun=All, nothing is deleted.",
        params: [target([Param("name", .string, "")])],
        returns: [("boolean", "deleted", "")],
        effect: .write, scope: "<namespace>/<Kind>/<name>", errors: errors)
    static let wait = PrimitiveSpec(
        module: "kube", name: "wait",
        summary: "Polls an object until its rollout is complete (kubectl rollout status semantics for Deployments, StatefulSets and DaemonSets) or a condition holds. Raises kind = timeout with the last status message, or rollout_failed (a Deployment past its progress deadline).",
        params: [target([Param("name", .string, ""),
                         Param("rollout", .boolean, optional: true, "wait for the rollout (the default when no condition is given)"),
                         Param("condition", .string, optional: true, "wait for this condition: \"Available\", \"Established\", or \"Ready=False\""),
                         Param("interval", .number, optional: true, "seconds between polls (default 1)")])],
        returns: [("table", "object", "as last seen")],
        effect: .read, scope: "<namespace>/<Kind>/<name>",
        errors: ["raises kind = timeout (with the last rollout message) | rollout_failed | not_found"] + errors,
        example: #"kube.wait{ kind = "Deployment", name = "web", namespace = "shop", timeout = 300 }"#)

    /// Kinds that live outside namespaces, for scopes when nothing may be asked of the server.
    static let clusterScoped: Set<String> = ["Namespace", "Node", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
                                             "PersistentVolume", "StorageClass", "PriorityClass", "APIService", "IngressClass",
                                             "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "RuntimeClass",
                                             "CSIDriver", "CSINode", "VolumeAttachment", "CertificateSigningRequest"]

    /// Objects from an apply argument: a table object, a list, or YAML text.
    static func objects(_ v: LuaValue) throws -> [DataValue] {
        switch v {
        case .string(let text):
            let docs: [DataValue]
            do throws(DataCodecError) { docs = try YAML.decodeAll(text) } catch { throw HostError.argument(1, "YAML: \(error)") }
            return docs.filter { !$0.isNull }
        case .table(let t) where !t.array.isEmpty:
            return try t.array.enumerated().map { i, e in
                do throws(LuaData.ConversionError) { return try LuaData.toData(e, path: "objects[\(i + 1)]") } catch { throw HostError.argument(1, error.description) }
            }
        default:
            do throws(LuaData.ConversionError) { return [try LuaData.toData(v, path: "object")] } catch { throw HostError.argument(1, error.description) }
        }
    }

    public static let library = HostLibrary(
        name: "kube", summary: "Kubernetes: get, list, server-side apply, delete, rollout waits; kubeconfig as kubectl reads it.",
        specs: [get, list, apply, delete, wait]
    ) { ctx in
        let transport = Lazy { HTTPTransport() }
        var clients: [String: KubeClient] = [:]
        func client(_ context: String?) throws -> KubeClient {
            if let c = clients[context ?? ""] { return c }
            let t = try ctx.run { () throws(KubeError) in try KubeConfig.load(environment: ctx.environment, context: context) }
            let c = KubeClient(target: t, transport: transport.get, environment: ctx.environment, onSecret: { ctx.redactor.register($0) })
            clients[context ?? ""] = c
            return c
        }
        /// A read's client. `plan --offline` sends nothing, so a missing kubeconfig does not
        /// stop its plan (the scope then takes the namespace "default"); perform loads it.
        func readClient(_ context: String?) throws -> KubeClient? {
            ctx.mode.isOfflinePlan ? try? client(context) : try client(context)
        }
        func seconds(_ t: LuaTable?, _ d: Double) -> Double { ctx.timeout(t?.number("timeout"), default: d, minimum: Timeouts.kube.minimum) }

        /// "<namespace>/<Kind>/<name>": discovery decides namespaced-ness, except in an
        /// offline plan, where a list of well-known cluster-scoped kinds does.
        func scope(_ c: KubeClient?, kind: String, apiVersion: String?, namespace: String?, name: String, timeout: Double) throws -> String {
            var namespaced = !clusterScoped.contains(kind)
            if let c, !ctx.mode.isOfflinePlan {
                namespaced = try ctx.run { () throws(KubeError) in try c.resource(kind: kind, apiVersion: apiVersion, timeout: timeout) }.namespaced
            }
            let ns = namespaced ? (namespace ?? c?.target.namespace ?? "default") : "_cluster"
            return "\(ns)/\(kind)/\(name)"
        }
        func lua(_ d: DataValue) -> LuaValue { LuaData.toLua(d) }
        /// Basis of a write (saved plans): which object lives there (uid) and a digest of what
        /// it holds, so any edit (kubectl edit, label, another manager's apply) is drift.
        /// Not its resourceVersion: that also moves when a controller writes the status (a
        /// Deployment's, whenever its pods change), which is not what the write changes.
        func liveBasis(_ c: KubeClient, kind: String, apiVersion: String?, name: String, namespace: String?, timeout: Double) throws -> DataValue {
            let live = try ctx.run { () throws(KubeError) in try c.get(kind: kind, apiVersion: apiVersion, name: name, namespace: namespace, timeout: timeout) }
            guard let live, case .object(let fields) = live else { return .object([("exists", .bool(false))]) }
            let bookkeeping: Set<String> = ["resourceVersion", "managedFields", "generation", "creationTimestamp", "selfLink", "uid"]
            let content = DataValue.object(fields.compactMap { k, v in
                if k == "status" { return nil }
                if k == "metadata", case .object(let m) = v { return (k, .object(m.filter { !bookkeeping.contains($0.0) })) }
                return (k, v)
            })
            let text = content.canonicalJSON ?? ""
            return .object([("uid", live["metadata"]?["uid"] ?? .null), ("content", .string(ctx.digest(Array(text.utf8))))])
        }
        /// What a drift message shows of an object read: which one, and its resourceVersion.
        func objectSummary(_ o: DataValue?) -> DataValue? {
            guard let o, case .object = o else { return nil }
            return .object([("kind", o["kind"] ?? .null), ("name", o["metadata"]?["name"] ?? .null),
                            ("resourceVersion", o["metadata"]?["resourceVersion"] ?? .null)])
        }

        return [
            ctx.gatedEach(get) { args, gate in
                let t = try args.table(0)
                let (kind, name, ns, av) = (t["kind"].stringValue ?? "", t["name"].stringValue ?? "", t["namespace"].stringValue, t["api_version"].stringValue)
                let s = try scope(try readClient(t["context"].stringValue), kind: kind, apiVersion: av, namespace: ns, name: name, timeout: seconds(t, Timeouts.kube.seconds))
                return try gate.call(scope: s, arguments: gate.audit(args), summary: { (v: [LuaValue]) in objectSummary(try? LuaData.toData(v.first ?? .nil)) }, perform: {
                    let c = try client(t["context"].stringValue)
                    let o = try ctx.run { () throws(KubeError) in try c.get(kind: kind, apiVersion: av, name: name, namespace: ns, timeout: seconds(t, Timeouts.kube.seconds)) }
                    return [o.map(lua) ?? .nil]
                }, plan: { Gate.Planned.offlineRead })
            },
            ctx.gatedEach(list) { args, gate in
                let t = try args.table(0)
                let (kind, ns, av) = (t["kind"].stringValue ?? "", t["namespace"].stringValue, t["api_version"].stringValue)
                let all = t.bool("all_namespaces", default: false)
                var s = try scope(try readClient(t["context"].stringValue), kind: kind, apiVersion: av, namespace: ns, name: "*", timeout: seconds(t, Timeouts.kube.seconds))
                if all { s = "*/\(kind)/*" }
                return try gate.call(scope: s, arguments: gate.audit(args), perform: {
                    let c = try client(t["context"].stringValue)
                    let os = try ctx.run { () throws(KubeError) in
                        try c.list(kind: kind, apiVersion: av, namespace: ns, allNamespaces: all, labels: t["labels"].stringValue, timeout: seconds(t, Timeouts.kube.seconds))
                    }
                    return [.table(LuaTable(array: os.map(lua)))]
                }, plan: { Gate.Planned.offlineRead })
            },
            ctx.gatedEach(apply) { args, gate in
                let o = try args.optionalTable(1)
                let c = try client(o?["context"].stringValue)
                let manager = o?["field_manager"].stringValue ?? "unidesk"
                let force = o?.bool("force", default: false) ?? false
                let single: Bool = {
                    if case .table(let t) = args.value(0) { return t.array.isEmpty }
                    return false
                }()
                var docs = try Self.objects(args.value(0))
                if let namespace = o?["namespace"].stringValue {
                    do {
                        docs = try NamespaceDefaulting.place(docs, in: namespace) { kind, apiVersion throws(KubeError) in
                            ctx.mode.isOfflinePlan ? !clusterScoped.contains(kind)
                                : try c.resource(kind: kind, apiVersion: apiVersion, timeout: seconds(o, Timeouts.kube.seconds)).namespaced
                        }
                    } catch let m as NamespaceDefaulting.Mismatch {
                        throw HostError.argument(1, "object \(m.index): \(m.message)")
                    } catch let e as KubeError { throw ctx.error(e) }
                }
                // In run mode the family sends runs of one kind together, but only runs the
                // policy admits whole: nothing goes out that its own gate call would refuse.
                // Applying a saved plan, each object goes out alone, after its own comparison
                // with the plan: in a run sent together, the later objects would be written
                // before apply compared them (and on drift, written although refused).
                let batching: KubeApplyBatching = ctx.mode == .run && !gate.observesBasis ? .runsOfOneKind : .none
                let queue = c.apply(docs, batching: batching, fieldManager: manager, force: force,
                                    timeout: { seconds(o, Timeouts.kube.seconds) }, permitted: { ref in
                    guard let s = try? scope(c, kind: ref.kind, apiVersion: ref.apiVersion, namespace: ref.namespace, name: ref.name,
                                             timeout: seconds(o, Timeouts.kube.seconds)) else { return false }
                    return gate.permits(scope: s)
                })
                let out: [LuaValue] = try docs.indices.map { i in
                    guard let ref = KubeObjectRef(docs[i]) else {
                        throw HostError.argument(1, "object \(i + 1) needs apiVersion, kind and metadata.name")
                    }
                    let s = try scope(c, kind: ref.kind, apiVersion: ref.apiVersion, namespace: ref.namespace, name: ref.name, timeout: seconds(o, Timeouts.kube.seconds))
                    return try gate.call(scope: s, arguments: .array([.string("\(ref.kind)/\(ref.name)"), .string(manager)]),
                                         compare: gate.comparable(.array([docs[i], .string(manager), .bool(force)])),
                                         basis: { try liveBasis(c, kind: ref.kind, apiVersion: ref.apiVersion, name: ref.name, namespace: ref.namespace, timeout: seconds(o, Timeouts.kube.seconds)) },
                                         perform: {
                        lua(try ctx.run { () throws(KubeError) in try queue.applied(at: i) }.object)
                    }, plan: {
                        guard !ctx.mode.isOfflinePlan else { return Gate.Planned(lua(docs[i]), detail: .string("offline: not sent")) }
                        // The server's dry-run answer against what it stores now.
                        let p = try ctx.run { () throws(KubeError) in try c.planApply(docs[i], fieldManager: manager, force: force, timeout: { seconds(o, Timeouts.kube.seconds) }) }
                        switch p.change {
                        case .create: return Gate.Planned(lua(p.object), verdict: .create)
                        case .change(let changes): return Gate.Planned(lua(p.object), verdict: .change(changes))
                        case .unchanged: return Gate.Planned(lua(p.object), verdict: .unchanged)
                        }
                    })
                }
                return [single && out.count == 1 ? out[0] : .table(LuaTable(array: out))]
            },
            ctx.gatedEach(delete) { args, gate in
                let t = try args.table(0)
                let c = try client(t["context"].stringValue)
                let (kind, name, ns, av) = (t["kind"].stringValue ?? "", t["name"].stringValue ?? "", t["namespace"].stringValue, t["api_version"].stringValue)
                let s = try scope(c, kind: kind, apiVersion: av, namespace: ns, name: name, timeout: seconds(t, Timeouts.kube.seconds))
                return try gate.call(scope: s, arguments: gate.audit(args),
                                     basis: { try liveBasis(c, kind: kind, apiVersion: av, name: name, namespace: ns, timeout: seconds(t, Timeouts.kube.seconds)) },
                                     perform: {
                    [.bool(try ctx.run { () throws(KubeError) in try c.delete(kind: kind, apiVersion: av, name: name, namespace: ns, dryRun: false, timeout: seconds(t, Timeouts.kube.seconds)) })]
                }, plan: {
                    guard !ctx.mode.isOfflinePlan else { return Gate.Planned([.bool(true)], detail: .string("offline: not sent")) }
                    let existed = try ctx.run { () throws(KubeError) in try c.delete(kind: kind, apiVersion: av, name: name, namespace: ns, dryRun: true, timeout: seconds(t, Timeouts.kube.seconds)) }
                    return existed ? Gate.Planned([.bool(true)], verdict: .delete)
                                   : Gate.Planned([.bool(false)], detail: .string("not found: nothing to delete"), verdict: .unchanged)
                })
            },
            ctx.gatedEach(wait) { args, gate in
                let t = try args.table(0)
                let (kind, name, ns, av) = (t["kind"].stringValue ?? "", t["name"].stringValue ?? "", t["namespace"].stringValue, t["api_version"].stringValue)
                let total = seconds(t, Timeouts.kubeWait.seconds)
                let goal: KubeWaitGoal
                if let condition = t["condition"].stringValue {
                    guard let g = KubeWaitGoal(condition: condition) else {
                        throw HostError.argument(1, "condition must name a condition type: \"Available\", \"Ready=False\"")
                    }
                    goal = g
                } else {
                    goal = .rollout
                }
                let interval = max(0.1, t.number("interval") ?? 1)
                let s = try scope(try readClient(t["context"].stringValue), kind: kind, apiVersion: av, namespace: ns, name: name, timeout: min(total, 30))
                // Bounded: past a pipeline step's deadline it raises the step's timeout.
                return try ctx.bounded { try gate.call(scope: s, arguments: gate.audit(args), perform: {
                    let c = try client(t["context"].stringValue)
                    let obj = try ctx.run { () throws(KubeError) in
                        try c.wait(kind: kind, apiVersion: av, name: name, namespace: ns, for: goal, timeout: total, interval: interval)
                    }
                    return [lua(obj)]
                }, plan: { Gate.Planned.offlineRead }) }
            },
        ]
    }
}
