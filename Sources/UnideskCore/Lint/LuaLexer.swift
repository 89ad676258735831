/// Splits Lua 5.4 source into the tokens the global scanner needs. Strings and comments
/// (long brackets included) are consumed whole, so nothing inside them is mistaken for a
/// name; numbers are consumed loosely (their value does not matter here).
struct LuaToken: Equatable {
    enum Kind: Equatable { case name, keyword, string, number, symbol, eof }
    let kind: Kind
    /// The name, keyword or symbol; a string literal's contents (escapes left as written).
    let text: String
    let line: Int
}

struct LuaLexer {
    static let keywords: Set<String> = [
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    ]
    private static let symbols3 = ["..."]
    private static let symbols2 = ["..", "==", "~=", "<=", ">=", "<<", ">>", "//", "::"]

    private let s: [UInt8]
    private var i = 0
    private var line = 1

    init(_ source: String) { s = Array(source.utf8) }

    /// Every token, ending with one `.eof`. Malformed input (never seen: the scanner runs on
    /// files that compiled) ends the list early at `.eof`.
    static func tokens(_ source: String) -> [LuaToken] {
        var lexer = LuaLexer(source)
        var out: [LuaToken] = []
        while true {
            let t = lexer.next()
            out.append(t)
            if t.kind == .eof { return out }
        }
    }

    private func peek(_ k: Int = 0) -> UInt8 { i + k < s.count ? s[i + k] : 0 }

    private static func isNameStart(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private static func isNameChar(_ c: UInt8) -> Bool { isNameStart(c) || isDigit(c) }

    private mutating func next() -> LuaToken {
        skipSpaceAndComments()
        guard i < s.count else { return LuaToken(kind: .eof, text: "", line: line) }
        let c = s[i]
        let startLine = line
        if Self.isNameStart(c) {
            let start = i
            while i < s.count, Self.isNameChar(s[i]) { i += 1 }
            let word = String(decoding: s[start..<i], as: UTF8.self)
            return LuaToken(kind: Self.keywords.contains(word) ? .keyword : .name, text: word, line: startLine)
        }
        if Self.isDigit(c) || (c == 46 && Self.isDigit(peek(1))) {
            let start = i
            let hex = c == 48 && (peek(1) == 120 || peek(1) == 88)
            while i < s.count {
                let d = s[i]
                let exponent = hex ? (d == 112 || d == 80) : (d == 101 || d == 69)   // p± in hex, e± otherwise
                if exponent, peek(1) == 43 || peek(1) == 45 { i += 2; continue }
                if Self.isNameChar(d) || d == 46 { i += 1; continue }
                break
            }
            return LuaToken(kind: .number, text: String(decoding: s[start..<i], as: UTF8.self), line: startLine)
        }
        if c == 34 || c == 39 { return LuaToken(kind: .string, text: shortString(quote: c), line: startLine) }
        if c == 91, let level = longBracketLevel() {
            return LuaToken(kind: .string, text: longBracket(level: level), line: startLine)
        }
        for sym in Self.symbols3 + Self.symbols2 where matches(sym) {
            i += sym.utf8.count
            return LuaToken(kind: .symbol, text: sym, line: startLine)
        }
        i += 1
        return LuaToken(kind: .symbol, text: String(UnicodeScalar(c)), line: startLine)
    }

    private func matches(_ sym: String) -> Bool {
        for (k, b) in sym.utf8.enumerated() where peek(k) != b { return false }
        return true
    }

    private mutating func skipSpaceAndComments() {
        while i < s.count {
            let c = s[i]
            if c == 10 { line += 1; i += 1; continue }
            if c == 32 || c == 9 || c == 13 || c == 11 || c == 12 { i += 1; continue }
            if c == 35, i == 0, peek(1) == 33 {   // "#!" first line
                while i < s.count, s[i] != 10 { i += 1 }
                continue
            }
            if c == 45, peek(1) == 45 {
                i += 2
                if peek() == 91, let level = longBracketLevel() { _ = longBracket(level: level); continue }
                while i < s.count, s[i] != 10 { i += 1 }
                continue
            }
            return
        }
    }

    /// At "[", "[=…=[": the number of '='; nil when it is not a long bracket.
    private func longBracketLevel() -> Int? {
        var k = 1
        while peek(k) == 61 { k += 1 }
        return peek(k) == 91 ? k - 1 : nil
    }

    private mutating func longBracket(level: Int) -> String {
        i += level + 2
        let start = i
        while i < s.count {
            if s[i] == 10 { line += 1 }
            if s[i] == 93 {
                var k = 1
                while peek(k) == 61 { k += 1 }
                if k - 1 == level, peek(k) == 93 {
                    let text = String(decoding: s[start..<i], as: UTF8.self)
                    i += k + 1
                    return text
                }
            }
            i += 1
        }
        return String(decoding: s[start..<i], as: UTF8.self)
    }

    private mutating func shortString(quote: UInt8) -> String {
        i += 1
        let start = i
        while i < s.count, s[i] != quote {
            if s[i] == 92 {                 // backslash: skip the escaped char (\<newline> counts a line)
                i += 1
                if i < s.count, s[i] == 10 { line += 1 }
                if i < s.count, s[i] == 122 {   // \z skips following whitespace, newlines included
                    i += 1
                    while i < s.count, s[i] == 32 || s[i] == 10 || s[i] == 9 || s[i] == 13 {
                        if s[i] == 10 { line += 1 }
                        i += 1
                    }
                    continue
                }
            } else if s[i] == 10 {
                break                       // unfinished string: cannot compile, stop here
            }
            i += 1
        }
        let text = String(decoding: s[start..<min(i, s.count)], as: UTF8.self)
        if i < s.count { i += 1 }
        return text
    }
}
