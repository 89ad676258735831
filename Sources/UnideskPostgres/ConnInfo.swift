import CLibPQ
import Foundation

/// What a DSN says, read without connecting: for the capability scope (before anything
/// is sent) and to learn the password so it can be kept out of every log.
public struct ConnInfo: Sendable {
    public let options: [String: String]

    /// Parses a key=value string or a postgres:// URI. The error never quotes the DSN,
    /// since a malformed one may still hold a password.
    public init(parsing dsn: String) throws(PGError) {
        // libpq is loaded on first use; every path to a connection parses its DSN here first.
        if let why = ud_lazy_libpq() { throw PGError(.network, "no PostgreSQL client: " + String(cString: why)) }
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
        // As written: a URI query parameter (?password=p%40ss) or a key=value token
        // (password='p\'ss'), raw, since the redactor matches text as it appears.
        if let r = dsn.range(of: #"[?&]password=([^&#]*)"#, options: .regularExpression) {
            let raw = String(dsn[r].drop { $0 != "=" }.dropFirst())
            if !raw.isEmpty { forms.append(raw) }
        }
        if let r = dsn.range(of: #"(^|\s)password\s*=\s*('([^'\\]|\\.)*'|\S+)"#, options: .regularExpression) {
            var raw = String(dsn[r].drop { $0 != "=" }.dropFirst()).trimmingCharacters(in: .whitespaces)
            if raw.hasPrefix("'") && raw.hasSuffix("'") && raw.count >= 2 { raw = String(raw.dropFirst().dropLast()) }
            if !raw.isEmpty { forms.append(raw) }
        }
        for scheme in ["postgresql://", "postgres://"] where dsn.hasPrefix(scheme) {
            let rest = dsn.dropFirst(scheme.count)
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                let raw = String(authority[authority.index(after: colon)..<at])
                if !raw.isEmpty { forms.append(raw) }
            }
        }
        var unique: [String] = []
        for f in forms where !unique.contains(f) { unique.append(f) }
        return unique
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

    /// libpq quotes the offending fragment of a bad DSN; the fragment may be a password,
    /// and may itself contain quotes: everything from the first quote to the last goes.
    static func unquoted(_ message: String) -> String {
        var m = message.trimmingCharacters(in: .whitespacesAndNewlines)
        // "… for connection option "port"": the option's name is safe and worth keeping.
        var option = ""
        if let r = m.range(of: #" for connection option "[a-z_]+"$"#, options: .regularExpression) {
            option = String(m[r])
            m = String(m[..<r.lowerBound])
        }
        guard let first = m.firstIndex(of: "\""), let last = m.lastIndex(of: "\"") else { return m + option }
        if first == last { return String(m[..<first]) + "\"…" + option }
        return String(m[..<first]) + "\"…\"" + String(m[m.index(after: last)...]) + option
    }
}
