/// One statement of a SQL script, as a client-side splitter (like psql's) cuts it.
public struct SQLStatement: Sendable, Equatable {
    /// From its first keyword to the end, without the terminating semicolon.
    public let text: String
    /// 1-based line of the script the statement starts on.
    public let line: Int
    /// The first few words, upper-cased, comments skipped: what the statement is.
    public let keywords: [String]

    /// The script line of a 1-based character position in `text` (the server's error
    /// position), so an error points at the line in the file.
    public func line(ofPosition position: Int) -> Int {
        line + text.prefix(max(0, position - 1)).reduce(0) { $0 + ($1 == "\n" || $1 == "\r\n" ? 1 : 0) }
    }

    func starts(with words: [String]) -> Bool { keywords.starts(with: words) }

    /// Cannot run inside a transaction block: the server refuses with SQLSTATE 25001.
    public var cannotRunInTransaction: Bool {
        let k = keywords
        if k.first == "VACUUM" { return true }
        if k.first == "REINDEX" && k.contains("CONCURRENTLY") { return true }
        if k.first == "CREATE" || k.first == "DROP" {
            if k.count > 1 && ["DATABASE", "TABLESPACE", "SUBSCRIPTION"].contains(k[1]) { return true }
            if k.prefix(4).contains("INDEX") && k.prefix(5).contains("CONCURRENTLY") { return true }
        }
        if k.first == "ALTER" && k.count > 1 && (k[1] == "SYSTEM" || k[1] == "SUBSCRIPTION") { return true }
        if starts(with: ["DISCARD", "ALL"]) { return true }
        return false
    }

    /// BEGIN / COMMIT / ROLLBACK and their synonyms: the runner owns the transaction.
    public var isTransactionControl: Bool {
        guard let first = keywords.first else { return false }
        switch first {
        case "BEGIN", "COMMIT", "END", "ABORT", "SAVEPOINT", "RELEASE": return true
        case "START": return keywords.dropFirst().first == "TRANSACTION"
        case "ROLLBACK": return true
        case "PREPARE": return keywords.dropFirst().first == "TRANSACTION"
        default: return false
        }
    }

    var opensTransaction: Bool { keywords.first == "BEGIN" || starts(with: ["START", "TRANSACTION"]) }
    var closesTransaction: Bool { (keywords.first == "COMMIT" || keywords.first == "END") && keywords.count <= 2 }

    /// SET ROLE, RESET ROLE, SET SESSION AUTHORIZATION, RESET ALL: a script run as a role
    /// must not leave it (the session user is often a superuser).
    public var changesRole: Bool {
        let k = keywords.filter { $0 != "SESSION" && $0 != "LOCAL" }
        return k.starts(with: ["SET", "ROLE"]) || k.starts(with: ["RESET", "ROLE"])
            || k.starts(with: ["SET", "AUTHORIZATION"]) || k.starts(with: ["RESET", "AUTHORIZATION"])
            || k.starts(with: ["RESET", "ALL"])
    }
}

/// Splits SQL text into statements at top-level semicolons, respecting quotes ('…',
/// E'…', "…"), dollar quoting ($$…$$, $tag$…$tag$), comments (--, nested /* */) and
/// `BEGIN ATOMIC … END` function bodies.
public enum SQLScript {
    public static func split(_ sql: String) -> [SQLStatement] {
        let b = Array(sql.utf8)
        var out: [SQLStatement] = []
        var i = 0, line = 1
        var codeStart: Int? = nil, codeLine = 1
        var words: [String] = []
        var atomicDepth = 0
        var lastWord = ""

        func isIdent(_ c: UInt8) -> Bool { c == 95 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 128 }
        func isIdentStart(_ c: UInt8) -> Bool { isIdent(c) && !(c >= 48 && c <= 57) }
        func markCode() { if codeStart == nil { codeStart = i; codeLine = line } }
        func emit(end: Int) {
            if let cs = codeStart {
                var e = end
                while e > cs, [9, 10, 13, 32].contains(b[e - 1]) { e -= 1 }
                out.append(SQLStatement(text: String(decoding: b[cs..<e], as: UTF8.self), line: codeLine, keywords: words))
            }
            codeStart = nil
            words = []
            lastWord = ""
        }
        /// Advances past a quoted run ending in `quote`; doubled quotes escape, and in
        /// E'' strings so does a backslash.
        func skipQuoted(_ quote: UInt8, backslash: Bool) {
            i += 1
            while i < b.count {
                let c = b[i]
                if c == 10 { line += 1 }
                if backslash && c == 92 { i += 2; continue }
                if c == quote {
                    if i + 1 < b.count && b[i + 1] == quote { i += 2; continue }
                    i += 1
                    return
                }
                i += 1
            }
        }

        while i < b.count {
            let c = b[i]
            if c == 10 { line += 1; i += 1; continue }
            if c == 32 || c == 9 || c == 13 { i += 1; continue }
            if c == 45, i + 1 < b.count, b[i + 1] == 45 {            // -- comment
                while i < b.count && b[i] != 10 { i += 1 }
                continue
            }
            if c == 47, i + 1 < b.count, b[i + 1] == 42 {            // /* nested */
                var depth = 0
                while i < b.count {
                    if b[i] == 10 { line += 1 }
                    if b[i] == 47, i + 1 < b.count, b[i + 1] == 42 { depth += 1; i += 2; continue }
                    if b[i] == 42, i + 1 < b.count, b[i + 1] == 47 { depth -= 1; i += 2; if depth == 0 { break }; continue }
                    i += 1
                }
                continue
            }
            if c == 59 && atomicDepth == 0 { emit(end: i); i += 1; continue }
            markCode()
            if c == 39 {                                               // '…' or E'…'
                let escaped = i > 0 && (b[i - 1] == 69 || b[i - 1] == 101) && (i < 2 || !isIdent(b[i - 2]))
                skipQuoted(39, backslash: escaped)
                continue
            }
            if c == 34 { skipQuoted(34, backslash: false); continue }  // "identifier"
            if c == 36, i == 0 || !isIdent(b[i - 1]) {                 // $tag$ … $tag$
                var j = i + 1
                if j < b.count, isIdentStart(b[j]) { while j < b.count, isIdent(b[j]) { j += 1 } }
                if j < b.count, b[j] == 36 {
                    let tag = Array(b[i...j])
                    i = j + 1
                    while i < b.count {
                        if b[i] == 10 { line += 1 }
                        if b[i] == 36, i + tag.count <= b.count, Array(b[i..<(i + tag.count)]) == tag { i += tag.count; break }
                        i += 1
                    }
                    continue
                }
            }
            if isIdentStart(c) {
                let s = i
                while i < b.count, isIdent(b[i]) { i += 1 }
                let word = String(decoding: b[s..<i], as: UTF8.self).uppercased()
                if words.count < 8 { words.append(word) }
                if word == "ATOMIC" && lastWord == "BEGIN" { atomicDepth += 1 }
                else if atomicDepth > 0 && word == "CASE" { atomicDepth += 1 }
                else if atomicDepth > 0 && word == "END" { atomicDepth -= 1 }
                lastWord = word
                continue
            }
            i += 1
        }
        emit(end: b.count)
        return out
    }
}
