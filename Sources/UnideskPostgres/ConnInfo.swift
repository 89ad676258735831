import CLibPQ
import Foundation

/// What a DSN says, read without connecting: for the capability scope (before anything
/// is sent) and to learn the password so it can be kept out of every log.
public struct ConnInfo: Sendable {
    public let options: [String: String]

    /// Parses a key=value string or a postgres:// URI. The error never quotes the DSN,
    /// since a malformed one may still hold a password.
    public init(parsing dsn: String) throws(PGError) {
        var err: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(dsn, &err) else {
            let why = err.map { String(cString: $0) } ?? "unreadable"
            if let err { PQfreemem(err) }
            throw PGError(.invalid, "invalid DSN: \(Self.unquoted(why))")
        }
        defer { PQconninfoFree(parsed) }
        var out: [String: String] = [:]
        var p = parsed
        while let key = p.pointee.keyword {
            if let v = p.pointee.val { out[String(cString: key)] = String(cString: v) }
            p += 1
        }
        options = out
    }

    /// Every form in which the DSN's password appears in its text (decoded, and as
    /// written inside a URI), for the redactor.
    public static func passwordForms(in dsn: String) -> [String] {
        var forms: [String] = []
        if let info = try? ConnInfo(parsing: dsn), let p = info.options["password"], !p.isEmpty { forms.append(p) }
        for scheme in ["postgresql://", "postgres://"] where dsn.hasPrefix(scheme) {
            let rest = dsn.dropFirst(scheme.count)
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                let raw = String(authority[authority.index(after: colon)..<at])
                if !raw.isEmpty { forms.append(raw) }
            }
        }
        return forms
    }

    /// "<database>@<user>" as libpq would resolve them without a service file lookup:
    /// the DSN, then PGDATABASE/PGUSER, then the OS user. A service without a dbname
    /// shows as "service:<name>".
    public func scope(overrides: [String: String], environment: [String: String]) -> String {
        func value(_ key: String, _ env: String) -> String? {
            overrides[key] ?? options[key] ?? environment[env]
        }
        let user = value("user", "PGUSER") ?? Self.osUser
        let database = value("dbname", "PGDATABASE")
            ?? value("service", "PGSERVICE").map { "service:\($0)" }
            ?? user
        return "\(database)@\(user)"
    }

    static var osUser: String {
        guard let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name else { return "unknown" }
        return String(cString: name)
    }

    /// libpq quotes the offending fragment of a bad DSN; the fragment may be a password.
    static func unquoted(_ message: String) -> String {
        var out = "", inQuote = false
        for ch in message.trimmingCharacters(in: .whitespacesAndNewlines) {
            if ch == "\"" { inQuote.toggle(); out += inQuote ? "\"…" : "\""; continue }
            if !inQuote { out.append(ch) }
        }
        return out
    }
}
