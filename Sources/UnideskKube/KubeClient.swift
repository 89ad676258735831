import CSystem
import Foundation
import UnideskData
import UnideskHTTP
import UnideskProcess

/// The Kubernetes API over the shared libcurl transport: discovery (kinds → resources,
/// cached for the client's life, so CRDs work), get/list, server-side apply, delete.
public final class KubeClient: @unchecked Sendable {
    public let target: KubeTarget
    let transport: HTTPTransport
    let environment: [String: String]
    /// Called with every secret the client meets (exec plugin tokens), for the redactor.
    let onSecret: (String) -> Void

    /// A resource as discovery describes it.
    public struct Resource: Sendable, Equatable {
        public var group: String
        public var version: String
        /// The plural name in URLs ("deployments").
        public var name: String
        public var kind: String
        public var namespaced: Bool
        public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    }

    private var resourcesByGroupVersion: [String: [Resource]] = [:]
    private var allGroupsLoaded = false
    private var execCredential: (token: String, expires: Date?)?
    /// Groups whose CRDs this client applied: discovery may lag behind them briefly.
    private var appliedCRDGroups = Set<String>()

    public init(target: KubeTarget, transport: HTTPTransport, environment: [String: String], onSecret: @escaping (String) -> Void = { _ in }) {
        self.target = target
        self.transport = transport
        self.environment = environment
        self.onSecret = onSecret
        target.secrets.forEach(onSecret)
    }

    // MARK: the wire

    public struct Response {
        public let status: Int
        public let body: [UInt8]
        public var json: DataValue? { try? JSON.decode(bytes: body) }
    }

    func send(_ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
              contentType: String? = nil, timeout: Double) throws(KubeError) -> Response {
        let request = try self.request(method, path, query: query, body: body, contentType: contentType, timeout: timeout)
        switch transport.perform(request) {
        case .success(let r): return Response(status: r.status, body: r.body)
        case .failure(let e): throw Self.transportError(e, what: "\(method) \(target.server)\(path)")
        }
    }

    /// A request to the API server with the target's credentials, TLS and proxy.
    func request(_ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
                 contentType: String? = nil, timeout: Double) throws(KubeError) -> HTTPRequest {
        var url = target.server + path
        if !query.isEmpty {
            url += "?" + query.map { "\($0.0)=\(Self.escape($0.1))" }.joined(separator: "&")
        }
        var headers = [("Accept", "application/json"), ("User-Agent", "unidesk")]
        if let contentType { headers.append(("Content-Type", contentType)) }
        if let token = try bearerToken(timeout: timeout) { headers.append(("Authorization", "Bearer \(token)")) }
        var tls = target.tls
        if case .exec = target.credential, let cert = execCertificate { tls.clientCertPEM = cert.cert; tls.clientKeyPEM = cert.key }
        return HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: timeout,
                           connectTimeout: min(10, timeout), maxBodyBytes: 64 << 20, maxRedirects: 0,
                           useEnvironmentProxy: false, proxy: target.proxy, tls: tls)
    }

    static func transportError(_ e: HTTPError, what: String) -> KubeError {
        let kind: KubeError.Kind = e.kind == .timeout ? .timeout : e.kind == .tls ? .tls : .network
        return KubeError(kind, "\(what): \(e.message)")
    }

    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    private var execCertificate: (cert: [UInt8], key: [UInt8])?

    /// The bearer token: inline, re-read from its file (it may rotate), or from the exec
    /// plugin (cached until it expires).
    func bearerToken(timeout: Double) throws(KubeError) -> String? {
        switch target.credential {
        case .none: return nil
        case .token(let t): return t
        case .tokenFile(let f):
            guard let t = try? String(contentsOfFile: f, encoding: .utf8) else { throw KubeError(.config, "cannot read the token file \(f)") }
            let token = t.trimmingCharacters(in: .whitespacesAndNewlines)
            onSecret(token)
            return token
        case .exec(let plugin):
            if let c = execCredential, c.expires.map({ $0.timeIntervalSinceNow > 10 }) ?? true { return c.token.isEmpty ? nil : c.token }
            return try runExec(plugin, timeout: timeout)
        }
    }

    private func runExec(_ p: KubeTarget.ExecPlugin, timeout: Double) throws(KubeError) -> String? {
        var env = environment
        for (k, v) in p.env { env[k] = v }
        env["KUBERNETES_EXEC_INFO"] = #"{"apiVersion":"\#(p.apiVersion)","kind":"ExecCredential","spec":{"interactive":false}}"#
        let command = p.command.contains("/") && !p.command.hasPrefix("/") ? "\(p.directory)/\(p.command)" : p.command
        let r: CommandResult
        do { r = try Command.run([command] + p.args, environment: env, timeout: min(timeout, 60)) } catch {
            throw KubeError(.config, "exec credential plugin \(p.command) cannot start: \(error)")
        }
        guard r.status == 0, !r.timedOut else {
            throw KubeError(.unauthorized, "exec credential plugin \(p.command) failed (exit \(r.status)): \(r.stderrTail(3))")
        }
        guard let cred = try? JSON.decode(bytes: r.stdout), cred["kind"]?.stringValue == "ExecCredential" else {
            throw KubeError(.unauthorized, "exec credential plugin \(p.command) printed no ExecCredential")
        }
        let status = cred["status"]
        let expires = status?["expirationTimestamp"]?.stringValue.flatMap { ISO8601DateFormatter().date(from: $0) }
        if let certData = status?["clientCertificateData"]?.stringValue, let keyData = status?["clientKeyData"]?.stringValue {
            execCertificate = (Array(certData.utf8), Array(keyData.utf8))
            onSecret(keyData)
        }
        let token = status?["token"]?.stringValue ?? ""
        if !token.isEmpty { onSecret(token) }
        execCredential = (token, expires)
        return token.isEmpty ? nil : token
    }

    // MARK: discovery

    /// The resource for a kind: in `apiVersion` when given, else wherever the server has it
    /// (the core group first, then every group's preferred version).
    public func resource(kind: String, apiVersion: String?, timeout: Double) throws(KubeError) -> Resource {
        for attempt in 0..<6 {
            if let r = try lookup(kind: kind, apiVersion: apiVersion, refresh: attempt > 0, timeout: timeout) { return r }
            // A CRD applied a moment ago takes a little while to be served.
            let group = apiVersion.map { $0.contains("/") ? String($0.split(separator: "/")[0]) : "" } ?? ""
            guard appliedCRDGroups.contains(group) || (attempt == 0) else { break }
            if attempt > 0 { _ = ud_stop_sleep(1) }
        }
        let known = resourcesByGroupVersion.values.flatMap { $0 }.map(\.kind)
        let close = Set(known.filter { $0.lowercased() == kind.lowercased() || $0.lowercased().hasPrefix(kind.lowercased().prefix(3)) }).sorted()
        throw KubeError(.unknownKind, "the server has no kind \(kind)\(apiVersion.map { " in \($0)" } ?? "")\(close.isEmpty ? "" : " (did you mean \(close.joined(separator: ", "))?)")")
    }

    private func lookup(kind: String, apiVersion: String?, refresh: Bool, timeout: Double) throws(KubeError) -> Resource? {
        if let apiVersion {
            let list = try resources(groupVersion: apiVersion, refresh: refresh, timeout: timeout)
            return list.first { $0.kind == kind }
        }
        if let r = try resources(groupVersion: "v1", refresh: refresh, timeout: timeout).first(where: { $0.kind == kind }) { return r }
        if !allGroupsLoaded || refresh {
            let groups = try send("GET", "/apis", timeout: timeout)
            guard groups.status == 200, let doc = groups.json else { throw KubeError.fromStatus(code: groups.status, body: groups.body, what: "API discovery (/apis)") }
            for g in doc["groups"]?.arrayValue ?? [] {
                guard let gv = g["preferredVersion"]?["groupVersion"]?.stringValue else { continue }
                if resourcesByGroupVersion[gv] == nil || refresh { _ = try resources(groupVersion: gv, refresh: refresh, timeout: timeout) }
            }
            allGroupsLoaded = true
        }
        return resourcesByGroupVersion.keys.sorted().lazy.compactMap { self.resourcesByGroupVersion[$0]?.first { $0.kind == kind } }.first
    }

    private func resources(groupVersion gv: String, refresh: Bool, timeout: Double) throws(KubeError) -> [Resource] {
        if !refresh, let cached = resourcesByGroupVersion[gv] { return cached }
        let path = gv.contains("/") ? "/apis/\(gv)" : "/api/\(gv)"
        let r = try send("GET", path, timeout: timeout)
        if r.status == 404 { resourcesByGroupVersion[gv] = []; return [] }
        guard r.status == 200, let doc = r.json else { throw KubeError.fromStatus(code: r.status, body: r.body, what: "API discovery (\(path))") }
        let parts = gv.split(separator: "/").map(String.init)
        let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts[0])
        let list: [Resource] = (doc["resources"]?.arrayValue ?? []).compactMap { res in
            guard let name = res["name"]?.stringValue, !name.contains("/"), let kind = res["kind"]?.stringValue else { return nil }
            return Resource(group: group, version: version, name: name, kind: kind, namespaced: res["namespaced"]?.boolValue ?? false)
        }
        resourcesByGroupVersion[gv] = list
        return list
    }

    /// "/apis/apps/v1/namespaces/default/deployments/web"
    public func path(_ r: Resource, namespace: String?, name: String?) -> String {
        var p = r.group.isEmpty ? "/api/\(r.version)" : "/apis/\(r.group)/\(r.version)"
        if r.namespaced, let namespace { p += "/namespaces/\(Self.escape(namespace))" }
        p += "/\(r.name)"
        if let name { p += "/\(Self.escape(name))" }
        return p
    }

    /// The namespace an object of `r` lives in: given, else the context's; nil for
    /// cluster-scoped kinds.
    public func namespace(for r: Resource, _ given: String?) -> String? {
        r.namespaced ? (given ?? target.namespace) : nil
    }

    // MARK: operations

    /// The object, or nil when it does not exist.
    public func get(kind: String, apiVersion: String? = nil, name: String, namespace: String? = nil, timeout: Double) throws(KubeError) -> DataValue? {
        let r = try resource(kind: kind, apiVersion: apiVersion, timeout: timeout)
        let ns = self.namespace(for: r, namespace)
        let resp = try send("GET", path(r, namespace: ns, name: name), timeout: timeout)
        if resp.status == 404 { return nil }
        guard resp.status == 200, let obj = resp.json else {
            throw KubeError.fromStatus(code: resp.status, body: resp.body, what: "get \(kind) \(ns.map { "\($0)/" } ?? "")\(name)")
        }
        return obj
    }

    /// Objects of a kind in a namespace (nil namespace with allNamespaces: every one).
    public func list(kind: String, apiVersion: String? = nil, namespace: String? = nil, allNamespaces: Bool = false,
                     labels: String? = nil, timeout: Double) throws(KubeError) -> [DataValue] {
        let r = try resource(kind: kind, apiVersion: apiVersion, timeout: timeout)
        let ns = allNamespaces ? nil : self.namespace(for: r, namespace)
        var query: [(String, String)] = []
        if let labels, !labels.isEmpty { query.append(("labelSelector", labels)) }
        let resp = try send("GET", path(r, namespace: ns, name: nil), query: query, timeout: timeout)
        guard resp.status == 200, let doc = resp.json else {
            throw KubeError.fromStatus(code: resp.status, body: resp.body, what: "list \(kind)\(ns.map { " in \($0)" } ?? "")")
        }
        // Items of a list carry no kind/apiVersion: give them back theirs.
        return (doc["items"]?.arrayValue ?? []).map { item in
            guard case .object(var pairs) = item else { return item }
            if item["kind"] == nil { pairs.insert(("kind", .string(r.kind)), at: 0) }
            if item["apiVersion"] == nil { pairs.insert(("apiVersion", .string(r.apiVersion)), at: 0) }
            return .object(pairs)
        }
    }

    public struct Applied: Sendable {
        public let object: DataValue
        /// 201: the object did not exist before.
        public let created: Bool
        public let resource: Resource
        public let namespace: String?
    }

    /// The PATCH (application/apply-patch+yaml) that server-side applies `object`.
    private struct ApplyPatch {
        let kind: String
        let path: String
        let query: [(String, String)]
        let body: [UInt8]
        let resource: Resource
        let namespace: String?
        let what: String
    }

    private func applyPatch(_ object: DataValue, fieldManager: String, force: Bool, dryRun: Bool, timeout: Double) throws(KubeError) -> ApplyPatch {
        guard let kind = object["kind"]?.stringValue, let apiVersion = object["apiVersion"]?.stringValue else {
            throw KubeError(.unknownKind, "an object to apply needs apiVersion and kind")
        }
        guard let name = object["metadata"]?["name"]?.stringValue, !name.isEmpty else {
            throw KubeError(.invalid, "a \(kind) to apply needs metadata.name")
        }
        let r = try resource(kind: kind, apiVersion: apiVersion, timeout: timeout)
        let ns = namespace(for: r, object["metadata"]?["namespace"]?.stringValue)
        var query = [("fieldManager", fieldManager)]
        if force { query.append(("force", "true")) }
        if dryRun { query.append(("dryRun", "All")) }
        let body: [UInt8]
        do { body = Array(try JSON.encode(object, options: .init(sortKeys: false)).utf8) } catch {
            throw KubeError(.invalid, "\(kind) \(name) cannot be encoded as JSON: \(error)")
        }
        return ApplyPatch(kind: kind, path: path(r, namespace: ns, name: name), query: query, body: body, resource: r, namespace: ns,
                          what: "apply \(kind) \(ns.map { "\($0)/" } ?? "")\(name)")
    }

    private func applied(_ p: ApplyPatch, status: Int, body: [UInt8]) throws(KubeError) -> Applied {
        guard status == 200 || status == 201, let obj = try? JSON.decode(bytes: body) else {
            throw KubeError.fromStatus(code: status, body: body, what: p.what)
        }
        return Applied(object: obj, created: status == 201, resource: p.resource, namespace: p.namespace)
    }

    /// Server-side apply of one object (PATCH application/apply-patch+yaml).
    public func apply(_ object: DataValue, fieldManager: String, force: Bool, dryRun: Bool, timeout: Double) throws(KubeError) -> Applied {
        let p = try applyPatch(object, fieldManager: fieldManager, force: force, dryRun: dryRun, timeout: timeout)
        let resp = try send("PATCH", p.path, query: p.query, body: p.body, contentType: "application/apply-patch+yaml", timeout: timeout)
        let result = try applied(p, status: resp.status, body: resp.body)
        if p.kind == "CustomResourceDefinition", !dryRun, let g = object["spec"]?["group"]?.stringValue { appliedCRDGroups.insert(g) }
        return result
    }

    /// Server-side apply of several objects with up to `concurrency` requests in flight
    /// over the shared connection pool; results in input order.
    public func applyConcurrently(_ objects: [DataValue], fieldManager: String, force: Bool, timeout: Double,
                                  concurrency: Int = 8) throws(KubeError) -> [Result<Applied, KubeError>] {
        var patches: [ApplyPatch] = []
        var requests: [HTTPRequest] = []
        for object in objects {
            let p = try applyPatch(object, fieldManager: fieldManager, force: force, dryRun: false, timeout: timeout)
            patches.append(p)
            requests.append(try request("PATCH", p.path, query: p.query, body: p.body, contentType: "application/apply-patch+yaml", timeout: timeout))
        }
        let responses = transport.performAll(requests, maxConcurrent: max(1, concurrency))
        return zip(patches, responses).map { p, result in
            switch result {
            case .failure(let e): return .failure(Self.transportError(e, what: p.what))
            case .success(let resp):
                do throws(KubeError) { return .success(try applied(p, status: resp.status, body: resp.body)) } catch { return .failure(error) }
            }
        }
    }

    /// Deletes an object (background propagation). Returns false when it did not exist.
    public func delete(kind: String, apiVersion: String? = nil, name: String, namespace: String? = nil,
                       dryRun: Bool, timeout: Double) throws(KubeError) -> Bool {
        let r = try resource(kind: kind, apiVersion: apiVersion, timeout: timeout)
        let ns = self.namespace(for: r, namespace)
        var query = [("propagationPolicy", "Background")]
        if dryRun { query.append(("dryRun", "All")) }
        let resp = try send("DELETE", path(r, namespace: ns, name: name), query: query, timeout: timeout)
        if resp.status == 404 { return false }
        guard resp.status == 200 || resp.status == 202 else {
            throw KubeError.fromStatus(code: resp.status, body: resp.body, what: "delete \(kind) \(ns.map { "\($0)/" } ?? "")\(name)")
        }
        return true
    }
}
