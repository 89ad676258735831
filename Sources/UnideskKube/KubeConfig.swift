import Foundation
import UnideskData
import UnideskHTTP

/// Where and as whom to talk to a cluster, resolved as kubectl resolves it: $KUBECONFIG
/// (several files merged, the first to define a name wins) or ~/.kube/config, the current
/// context or a named one; or, with no kubeconfig at all, the in-cluster service account.
public struct KubeTarget: Sendable {
    public enum Credential: Sendable {
        case none
        case token(String)
        case tokenFile(String)
        case exec(ExecPlugin)
    }

    public struct ExecPlugin: Sendable {
        public var command: String
        public var args: [String]
        public var env: [(String, String)]
        public var apiVersion: String
        /// The kubeconfig's directory: a relative command resolves against it.
        public var directory: String
    }

    public var server: String
    public var tls: TLSOptions
    public var credential: Credential
    /// The kubeconfig's proxy-url: Kubernetes calls never use an inherited HTTPS_PROXY.
    public var proxy: String?
    public var namespace: String
    /// "context <name> in <files>" or "in-cluster service account", for messages.
    public var origin: String
    /// Secrets met while loading (tokens, key data), for the redactor.
    public var secrets: [String]
}

public enum KubeConfig {
    /// Resolves the target. `environment` supplies KUBECONFIG, HOME and the in-cluster
    /// variables (KUBERNETES_SERVICE_HOST/PORT; UNIDESK_SERVICEACCOUNT_DIR overrides the
    /// service-account directory, for tests).
    public static func load(environment: [String: String], context wanted: String? = nil) throws(KubeError) -> KubeTarget {
        var files: [String] = []
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            files = list.split(separator: ":").map(String.init).filter { FileManager.default.fileExists(atPath: $0) }
            if files.isEmpty { throw KubeError(.config, "KUBECONFIG names no file that exists (\(list))") }
        } else if let home = environment["HOME"], FileManager.default.fileExists(atPath: "\(home)/.kube/config") {
            files = ["\(home)/.kube/config"]
        }
        if files.isEmpty {
            if environment["KUBERNETES_SERVICE_HOST"] != nil { return try inCluster(environment) }
            throw KubeError(.config, "no kubeconfig: set KUBECONFIG or create ~/.kube/config (or run in a pod with a service account)")
        }
        return try fromFiles(files, context: wanted, environment: environment)
    }

    /// A named entry of one of the lists (clusters, users, contexts), with the file it came from.
    struct Entry { let value: DataValue; let directory: String }

    static func fromFiles(_ files: [String], context wanted: String?, environment: [String: String]) throws(KubeError) -> KubeTarget {
        var clusters: [String: Entry] = [:], users: [String: Entry] = [:], contexts: [String: Entry] = [:]
        var current: String?
        for f in files {
            guard let text = try? String(contentsOfFile: f, encoding: .utf8) else { throw KubeError(.config, "cannot read kubeconfig \(f)") }
            let doc: DataValue
            do { doc = try YAML.decode(text) } catch { throw KubeError(.config, "kubeconfig \(f) is not valid YAML: \(error)") }
            let dir = (f as NSString).deletingLastPathComponent
            for (key, into) in [("clusters", 0), ("users", 1), ("contexts", 2)] {
                for item in doc[key]?.arrayValue ?? [] {
                    guard let name = item["name"]?.stringValue else { continue }
                    let inner = item[key == "clusters" ? "cluster" : key == "users" ? "user" : "context"] ?? .object([])
                    switch into {
                    case 0: if clusters[name] == nil { clusters[name] = Entry(value: inner, directory: dir) }
                    case 1: if users[name] == nil { users[name] = Entry(value: inner, directory: dir) }
                    default: if contexts[name] == nil { contexts[name] = Entry(value: inner, directory: dir) }
                    }
                }
            }
            if current == nil, let c = doc["current-context"]?.stringValue, !c.isEmpty { current = c }
        }
        let where_ = files.joined(separator: ":")
        guard let name = wanted ?? current else {
            throw KubeError(.config, "no current-context in \(where_); pass context = (contexts: \(contexts.keys.sorted().joined(separator: ", ")))")
        }
        guard let ctx = contexts[name] else {
            throw KubeError(.config, "context '\(name)' is not in \(where_) (contexts: \(contexts.keys.sorted().joined(separator: ", ")))")
        }
        guard let clusterName = ctx.value["cluster"]?.stringValue, let cluster = clusters[clusterName] else {
            throw KubeError(.config, "context '\(name)' names cluster '\(ctx.value["cluster"]?.stringValue ?? "")', which is not in \(where_)")
        }
        guard let server = cluster.value["server"]?.stringValue, server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw KubeError(.config, "cluster '\(clusterName)' has no https:// server")
        }
        var secrets: [String] = []
        var tls = TLSOptions()
        func path(_ p: String, _ dir: String) -> String { p.hasPrefix("/") ? p : "\(dir)/\(p)" }
        func decoded(_ b64: String, _ what: String) throws(KubeError) -> [UInt8] {
            guard let d = Data(base64Encoded: b64.filter { !$0.isWhitespace }) else { throw KubeError(.config, "\(what) is not base64") }
            return Array(d)
        }
        if cluster.value["insecure-skip-tls-verify"]?.boolValue == true {
            tls.verify = false
        } else if let data = cluster.value["certificate-authority-data"]?.stringValue {
            tls.caPEM = try decoded(data, "certificate-authority-data of cluster '\(clusterName)'")
        } else if let file = cluster.value["certificate-authority"]?.stringValue {
            tls.caFile = path(file, cluster.directory)
        }
        var credential = KubeTarget.Credential.none
        if let userName = ctx.value["user"]?.stringValue, !userName.isEmpty {
            guard let user = users[userName] else { throw KubeError(.config, "context '\(name)' names user '\(userName)', which is not in \(where_)") }
            let u = user.value
            if let data = u["client-certificate-data"]?.stringValue { tls.clientCertPEM = try decoded(data, "client-certificate-data") }
            else if let f = u["client-certificate"]?.stringValue { tls.clientCertFile = path(f, user.directory) }
            if let data = u["client-key-data"]?.stringValue {
                tls.clientKeyPEM = try decoded(data, "client-key-data")
                secrets.append(data)
            } else if let f = u["client-key"]?.stringValue { tls.clientKeyFile = path(f, user.directory) }
            if let token = u["token"]?.stringValue, !token.isEmpty {
                credential = .token(token)
                secrets.append(token)
            } else if let f = u["tokenFile"]?.stringValue {
                credential = .tokenFile(path(f, user.directory))
            } else if let exec = u["exec"] {
                guard let command = exec["command"]?.stringValue else { throw KubeError(.config, "user '\(userName)': exec has no command") }
                let env = (exec["env"]?.arrayValue ?? []).compactMap { e -> (String, String)? in
                    guard let n = e["name"]?.stringValue else { return nil }
                    return (n, e["value"]?.stringValue ?? "")
                }
                credential = .exec(.init(command: command, args: exec["args"]?.arrayValue?.compactMap(\.stringValue) ?? [], env: env,
                                         apiVersion: exec["apiVersion"]?.stringValue ?? "client.authentication.k8s.io/v1beta1", directory: user.directory))
            }
            if u["auth-provider"] != nil && !(tls.clientCertPEM != nil || tls.clientCertFile != nil) {
                if case .none = credential {
                    throw KubeError(.config, "user '\(userName)' uses an auth-provider plugin, which unidesk does not run; use an exec plugin or a token")
                }
            }
        }
        return KubeTarget(server: server.hasSuffix("/") ? String(server.dropLast()) : server, tls: tls, credential: credential,
                          proxy: cluster.value["proxy-url"]?.stringValue, namespace: ctx.value["namespace"]?.stringValue ?? "default",
                          origin: "context '\(name)' of \(where_)", secrets: secrets)
    }

    static func inCluster(_ environment: [String: String]) throws(KubeError) -> KubeTarget {
        let dir = environment["UNIDESK_SERVICEACCOUNT_DIR"] ?? "/var/run/secrets/kubernetes.io/serviceaccount"
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] else {
            throw KubeError(.config, "in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set")
        }
        guard FileManager.default.fileExists(atPath: "\(dir)/token") else {
            throw KubeError(.config, "in-cluster: no service-account token at \(dir)/token")
        }
        var tls = TLSOptions()
        tls.caFile = "\(dir)/ca.crt"
        let ns = (try? String(contentsOfFile: "\(dir)/namespace", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let h = host.contains(":") ? "[\(host)]" : host
        return KubeTarget(server: "https://\(h):\(port)", tls: tls, credential: .tokenFile("\(dir)/token"), proxy: nil,
                          namespace: ns ?? "default", origin: "in-cluster service account (\(dir))", secrets: [])
    }
}
