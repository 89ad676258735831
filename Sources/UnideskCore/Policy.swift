import Foundation
import UnideskData

/// What a run may touch. Lives in Swift only: no Lua state can reach or change it.
///
/// Reads are allowed unless a deny pattern matches; writes need an allow pattern and no
/// deny pattern. Deny always wins.
public struct Policy: Sendable {
    public var allow: [CapabilityPattern] = []
    public var deny: [CapabilityPattern] = []
    /// Environment variables the script may read with unidesk.env.
    public var env: [String] = []
    /// Environment variables the script may read, handed over as secrets.
    public var secretEnv: [String] = []
    /// Where alert.raise delivers (`alerts.sinks`, --alert-sink).
    public private(set) var alertSinks: [AlertSinkConfig] = []
    /// Where run metrics are pushed (`metrics`, --metrics-push).
    public var metrics: MetricsConfig?
    /// The POSTs the alert sinks need, granted by configuring them. Kept apart from `allow`:
    /// they are not grants a saved plan compares (deliveries are volatile), and a sink's URL
    /// may be a secret that must not enter a plan file.
    public private(set) var sinkGrants: [CapabilityPattern] = []

    public init() {}

    /// Adds a sink; its POST is granted (an exact pattern, so nothing else on that host is).
    public mutating func addAlertSink(_ sink: AlertSinkConfig) throws(ConfigError) {
        if alertSinks.contains(where: { $0.name == sink.name }) {
            throw ConfigError("two alert sinks are named '\(sink.name)': give each a 'name' of its own")
        }
        alertSinks.append(sink)
        if let c = sink.capability { sinkGrants.append(try CapabilityPattern(parsing: c.description)) }
    }

    public enum Decision: Sendable, Equatable {
        case allowed
        case denied(String)
    }

    public func decide(_ c: Capability, effect: EffectClass) -> Decision {
        if let d = deny.first(where: { $0.matches(c) }) {
            return .denied("matches the deny rule '\(d)'")
        }
        switch effect {
        case .pure, .read, .localRead:
            return .allowed
        case .write:
            if allow.contains(where: { $0.grants(c) }) || sinkGrants.contains(where: { $0.grants(c) }) { return .allowed }
            return .denied("a write needs a grant, e.g. --allow '\(c.operation):\(Self.suggestedScope(c.scope))' or a --policy file")
        }
    }

    static func suggestedScope(_ scope: String) -> String {
        // A host path is suggested exactly: widening it to its parent would grant more
        // of the host than the recipe asked for.
        if scope.contains(CapabilityPattern.hostPathMark) { return scope }
        if let slash = scope.lastIndex(of: "/") { return scope[..<slash] + "/*" }
        return scope
    }

    /// Loads a policy file (YAML or JSON):
    ///
    ///     allow: ["fs.write:reports/*", "kube.apply:unidesk-dev/*"]
    ///     deny:  ["kube.*:prod/*"]
    ///     env:   ["CI_COMMIT_SHA"]
    ///     secret_env: ["REGISTRY_PASSWORD"]
    ///     alerts:
    ///       sinks: [{type: alertmanager, url: "http://alertmanager:9093"}]
    ///     metrics: {push: "http://pushgateway:9091"}
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> Policy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("cannot read policy file '\(path)'")
        }
        let doc: DataValue
        do { doc = try YAML.decode(String(decoding: data, as: UTF8.self)) } catch {
            throw ConfigError("policy file '\(path)': \(error)")
        }
        guard case .object(let fields) = doc else {
            if case .null = doc { return Policy() }
            throw ConfigError("policy file '\(path)': expected a mapping with allow/deny/env/secret_env/alerts/metrics")
        }
        var p = Policy()
        for (key, value) in fields {
            switch key {
            case "allow": p.allow += try strings(value, key: key, path: path).map { s throws(ConfigError) in try CapabilityPattern(parsing: s) }
            case "deny": p.deny = try strings(value, key: key, path: path).map { s throws(ConfigError) in try CapabilityPattern(parsing: s) }
            case "env": p.env = try strings(value, key: key, path: path)
            case "secret_env": p.secretEnv = try strings(value, key: key, path: path)
            case "alerts":
                let w = "policy file '\(path)': alerts"
                guard case .object(let a) = value, a.allSatisfy({ $0.0 == "sinks" }) else {
                    throw ConfigError("\(w): a mapping with 'sinks' expected (alerts: {sinks: [{type: alertmanager, url: …}]})")
                }
                guard case .array(let items)? = a.first?.1 else { throw ConfigError("\(w).sinks: a list expected") }
                for (i, item) in items.enumerated() {
                    try p.addAlertSink(try AlertSinkConfig.parse(item, where: "\(w).sinks[\(i + 1)]", environment: environment))
                }
            case "metrics": p.metrics = try MetricsConfig.parse(value, where: "policy file '\(path)': metrics")
            default:
                throw ConfigError("policy file '\(path)': unknown key '\(key)' (known: allow, deny, env, secret_env, alerts, metrics)")
            }
        }
        return p
    }

    private static func strings(_ v: DataValue, key: String, path: String) throws(ConfigError) -> [String] {
        guard case .array(let items) = v else {
            throw ConfigError("policy file '\(path)': '\(key)' must be a list of strings")
        }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else {
                throw ConfigError("policy file '\(path)': '\(key)' must be a list of strings")
            }
            out.append(s)
        }
        return out
    }

    /// Adds command-line grants and denials (after the file's).
    public mutating func add(allow a: [String], deny d: [String]) throws(ConfigError) {
        for s in a { allow.append(try CapabilityPattern(parsing: s)) }
        for s in d { deny.append(try CapabilityPattern(parsing: s)) }
    }
}
