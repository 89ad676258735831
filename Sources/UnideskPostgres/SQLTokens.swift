/// A token of one SQL statement, for plan mode's look at what the statement calls and
/// which tables it fills. Comments are dropped; quotes are undone.
enum SQLToken: Equatable {
    /// An unquoted identifier or keyword, as written.
    case word(String)
    /// A "quoted identifier", doubled quotes undone.
    case quoted(String)
    /// A string constant: '…', E'…' (escapes left as written) or $tag$…$tag$.
    case string(String)
    /// Any other character outside quotes: ( ) . , ; operators, digits.
    case symbol(UInt8)

    /// The keyword, upper-cased, when the token is an unquoted word.
    var keyword: String? {
        if case .word(let w) = self { return w.uppercased() }
        return nil
    }
}

enum SQLTokens {
    /// The tokens of `sql`, with the same quoting rules as `SQLScript.split`.
    static func of(_ sql: String) -> [SQLToken] {
        let b = Array(sql.utf8)
        var out: [SQLToken] = []
        var i = 0
        func isIdent(_ c: UInt8) -> Bool { c == 95 || c == 36 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 128 }
        func isIdentStart(_ c: UInt8) -> Bool { c == 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 128 }
        func text(_ r: Range<Int>) -> String { String(decoding: b[r], as: UTF8.self) }
        /// The contents of a run quoted by `quote`, from just after the opening quote.
        func quoted(_ quote: UInt8, backslash: Bool) -> String {
            var bytes: [UInt8] = []
            i += 1
            while i < b.count {
                let c = b[i]
                if backslash && c == 92 && i + 1 < b.count { bytes += [c, b[i + 1]]; i += 2; continue }
                if c == quote {
                    if i + 1 < b.count && b[i + 1] == quote { bytes.append(quote); i += 2; continue }
                    i += 1
                    break
                }
                bytes.append(c)
                i += 1
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        while i < b.count {
            let c = b[i]
            if c == 10 || c == 32 || c == 9 || c == 13 { i += 1; continue }
            if c == 45, i + 1 < b.count, b[i + 1] == 45 {                 // -- comment
                while i < b.count && b[i] != 10 { i += 1 }
                continue
            }
            if c == 47, i + 1 < b.count, b[i + 1] == 42 {                 // /* nested */
                var depth = 0
                while i < b.count {
                    if b[i] == 47, i + 1 < b.count, b[i + 1] == 42 { depth += 1; i += 2; continue }
                    if b[i] == 42, i + 1 < b.count, b[i + 1] == 47 { depth -= 1; i += 2; if depth == 0 { break }; continue }
                    i += 1
                }
                continue
            }
            if c == 39 { out.append(.string(quoted(39, backslash: false))); continue }
            if c == 34 { out.append(.quoted(quoted(34, backslash: false))); continue }
            if c == 36 {                                                      // $tag$ … $tag$
                var j = i + 1
                if j < b.count, isIdentStart(b[j]) { while j < b.count, isIdent(b[j]) && b[j] != 36 { j += 1 } }
                if j < b.count, b[j] == 36 {
                    let tag = Array(b[i...j])
                    let bodyStart = j + 1
                    var k = bodyStart
                    while k < b.count && !(b[k] == 36 && k + tag.count <= b.count && Array(b[k..<(k + tag.count)]) == tag) { k += 1 }
                    out.append(.string(text(bodyStart..<min(k, b.count))))
                    i = min(k + tag.count, b.count)
                    continue
                }
            }
            if isIdentStart(c) {
                let s = i
                while i < b.count, isIdent(b[i]) { i += 1 }
                // E'…' / e'…': a string with backslash escapes, not a word.
                if i - s == 1, (b[s] == 69 || b[s] == 101), i < b.count, b[i] == 39 {
                    out.append(.string(quoted(39, backslash: true)))
                    continue
                }
                out.append(.word(text(s..<i)))
                continue
            }
            out.append(.symbol(c))
            i += 1
        }
        return out
    }
}
