import Foundation

/// Whether a primitive only looks, or changes something.
public enum EffectClass: String, Sendable, Codable {
    /// Reads: allowed unless denied; performed in plan mode (recorded with --offline).
    case read
    /// Reads of local files (the recipe's own directory): like reads, but performed even
    /// with --offline, which is about the network.
    case localRead = "local-read"
    /// Writes: need a grant; recorded, not performed, in plan mode.
    case write
    /// Pure computation (json, yaml): not gated, not audited.
    case pure
}

/// `family.op` plus a scope supplied by the primitive: `fs.write:out/report.json`,
/// `kube.apply:unidesk-dev/Deployment/mdtodo-dev`.
public struct Capability: Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let scope: String

    public init(_ operation: String, scope: String) {
        self.operation = operation
        self.scope = scope
    }

    public var description: String { "\(operation):\(scope)" }

    /// The scope of an HTTP write (`http.post:<scope>`…): `<host[:port]>/<path>`, the path as
    /// sent and without the query; nil for a URL without a host.
    public static func httpWriteScope(_ u: URLComponents) -> String? {
        guard let h = u.host, !h.isEmpty else { return nil }
        let path = u.percentEncodedPath.isEmpty ? "/" : u.percentEncodedPath
        return (u.port.map { "\(h):\($0)" } ?? h) + path
    }
}

/// A grant or denial pattern: `op-glob[:scope-glob]`, e.g. `kube.*:unidesk-dev/*`.
/// Without a scope it matches every scope. `*` matches any run of characters (including
/// `/`), `?` one character.
public struct CapabilityPattern: Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let scope: String

    public init(parsing text: String) throws(ConfigError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw ConfigError("empty capability pattern: expected family.op[:scope], e.g. fs.write:out/*")
        }
        // Quotes the shell did not remove (a CI args list, a quoted YAML string): shown as
        // given, not wrapped in more quotes, with the value to write instead.
        let quotes: Set<Character> = ["'", "\""]
        if let first = trimmed.first, let last = trimmed.last, quotes.contains(first) || quotes.contains(last) {
            let bare = trimmed.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            throw ConfigError("capability pattern \(trimmed) has quotes in it (nothing removed them): write \(bare.isEmpty ? "family.op[:scope], e.g. fs.write:out/*" : bare)")
        }
        if let colon = trimmed.firstIndex(of: ":") {
            operation = String(trimmed[..<colon])
            scope = String(trimmed[trimmed.index(after: colon)...])
        } else {
            operation = trimmed
            scope = "*"
        }
        guard !operation.isEmpty, operation.allSatisfy({ $0.isLetter || $0.isNumber || "._*?-".contains($0) }) else {
            throw ConfigError("invalid capability pattern '\(text)': expected family.op[:scope], e.g. 'fs.write:out/*'")
        }
    }

    /// Whether a deny rule covers `c`: plain glob matching, so a broad denial stays broad.
    public func matches(_ c: Capability) -> Bool {
        Glob.matches(operation, c.operation) && Glob.matches(scope, c.scope)
    }

    /// Whether a grant covers `c`. Like `matches`, except that a `//` in the scope (where a
    /// snapshot's host path begins: `snapshot.take:shop//srv/data`) is covered only by a
    /// `//` in the pattern: no `*` or `?` spans it. So `snapshot.*` or `snapshot.*:shop/*`
    /// never grant a host path by accident; `snapshot.*:shop//srv/*` grants those under /srv.
    public func grants(_ c: Capability) -> Bool {
        guard Glob.matches(operation, c.operation) else { return false }
        // The common case, checked on every write: no host path on either side. Foundation's
        // components(separatedBy:) below showed up in profiles of bulk loads.
        if !Self.hasHostPathMark(scope) && !Self.hasHostPathMark(c.scope) { return Glob.matches(scope, c.scope) }
        let patternParts = scope.components(separatedBy: Self.hostPathMark)
        let scopeParts = c.scope.components(separatedBy: Self.hostPathMark)
        return patternParts.count == scopeParts.count && zip(patternParts, scopeParts).allSatisfy { Glob.matches($0, $1) }
    }

    /// What separates a scope's owner from a host path: `<app>/` followed by the absolute path.
    public static let hostPathMark = "//"

    /// Whether `s` contains `hostPathMark`, byte by byte.
    static func hasHostPathMark(_ s: String) -> Bool {
        var previousSlash = false
        for b in s.utf8 {
            if b == UInt8(ascii: "/") {
                if previousSlash { return true }
                previousSlash = true
            } else {
                previousSlash = false
            }
        }
        return false
    }

    public var description: String { "\(operation):\(scope)" }
}

enum Glob {
    /// Iterative wildcard match with backtracking to the last `*` (linear in practice).
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.utf8), t = Array(text.utf8)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            // `*` first: taken as a literal when the text has a `*` there, it would leave no
            // point to backtrack to, and `*` would not match `*x` (found by Fuzz/CapabilityPattern).
            if pi < p.count && p[pi] == UInt8(ascii: "*") {
                star = pi; mark = ti; pi += 1
            } else if pi < p.count && (p[pi] == UInt8(ascii: "?") || p[pi] == t[ti]) {
                pi += 1; ti += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}

