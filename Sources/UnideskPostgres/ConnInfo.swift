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
        let bytes = Array(dsn.utf8)
        if let raw = Self.queryPassword(bytes), !raw.isEmpty { forms.append(raw) }
        if let raw = Self.keywordPassword(bytes), !raw.isEmpty { forms.append(raw) }
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

    // Scanned by hand: the two regular expressions these replace cost 10 M instructions, about
    // 3 ms, at every pg.connect.
    private static let passwordKey = Array("password".utf8)

    private static func hasPasswordKey(_ b: [UInt8], at i: Int) -> Bool {
        i + passwordKey.count <= b.count && b[i..<(i + passwordKey.count)].elementsEqual(passwordKey)
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0d) }

    /// The value of the first `?password=` or `&password=` in a URI, up to `&`, `#` or the end.
    static func queryPassword(_ b: [UInt8]) -> String? {
        var i = 0
        while i < b.count {
            let equals = i + 1 + passwordKey.count
            if b[i] == UInt8(ascii: "?") || b[i] == UInt8(ascii: "&"),
               hasPasswordKey(b, at: i + 1), equals < b.count, b[equals] == UInt8(ascii: "=") {
                let start = equals + 1
                var end = start
                while end < b.count && b[end] != UInt8(ascii: "&") && b[end] != UInt8(ascii: "#") { end += 1 }
                return String(decoding: b[start..<end], as: UTF8.self)
            }
            i += 1
        }
        return nil
    }

    /// The value of the first `password = …` token of a key=value string (at the start or
    /// after white space), as written: inside its single quotes (escapes kept) when quoted,
    /// else up to the next white space.
    static func keywordPassword(_ b: [UInt8]) -> String? {
        var i = 0
        while i < b.count {
            defer { i += 1 }
            guard i == 0 || isSpace(b[i - 1]), hasPasswordKey(b, at: i) else { continue }
            var j = i + passwordKey.count
            while j < b.count && isSpace(b[j]) { j += 1 }
            guard j < b.count, b[j] == UInt8(ascii: "=") else { continue }
            j += 1
            while j < b.count && isSpace(b[j]) { j += 1 }
            guard j < b.count else { continue }
            if b[j] == UInt8(ascii: "'") {
                var k = j + 1
                while k < b.count && b[k] != UInt8(ascii: "'") { k += b[k] == UInt8(ascii: "\\") ? 2 : 1 }
                if k < b.count { return String(decoding: b[(j + 1)..<k], as: UTF8.self) }
            }
            var end = j
            while end < b.count && !isSpace(b[end]) { end += 1 }
            return String(decoding: b[j..<end], as: UTF8.self)
        }
        return nil
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
