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

    public init() {}

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
            if allow.contains(where: { $0.grants(c) }) { return .allowed }
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
    public static func load(path: String) throws(ConfigError) -> Policy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("cannot read policy file '\(path)'")
        }
        let doc: DataValue
        do { doc = try YAML.decode(String(decoding: data, as: UTF8.self)) } catch {
            throw ConfigError("policy file '\(path)': \(error)")
        }
        guard case .object(let fields) = doc else {
            if case .null = doc { return Policy() }
            throw ConfigError("policy file '\(path)': expected a mapping with allow/deny/env/secret_env")
        }
        var p = Policy()
        for (key, value) in fields {
            let list = try strings(value, key: key, path: path)
            switch key {
            case "allow": p.allow = try list.map { s throws(ConfigError) in try CapabilityPattern(parsing: s) }
            case "deny": p.deny = try list.map { s throws(ConfigError) in try CapabilityPattern(parsing: s) }
            case "env": p.env = list
            case "secret_env": p.secretEnv = list
            default:
                throw ConfigError("policy file '\(path)': unknown key '\(key)' (known: allow, deny, env, secret_env)")
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
