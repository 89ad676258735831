import Foundation
import LuaRuntime

/// How the REPL shows the values an input returned. Pure: no I/O, no Lua state, so it can
/// be tested on its own. Secrets never reach the text: they render as `<secret>`.
enum ReplPrinter {
    /// Tables deeper than this show as `{ … }`.
    static let maxDepth = 4
    /// Entries shown per table (sequence part and keys together); the rest is `…`.
    static let maxEntries = 30
    /// A table fits on one line when that line (with its indentation) is shorter than this.
    static let lineWidth = 80

    /// The values of one input, tab-separated, as the REPL prints them (no trailing newline).
    static func render(_ values: [LuaValue]) -> String {
        values.map { render($0, depth: 1, column: 0) }.joined(separator: "\t")
    }

    /// One value. `depth` is the nesting level a table here would have (1 = top level);
    /// `column` is where its first character starts, to decide between one and many lines.
    static func render(_ value: LuaValue, depth: Int, column: Int) -> String {
        switch value {
        case .table(let t): return table(t, depth: depth, column: column)
        default: return scalar(value)
        }
    }

    // MARK: scalars

    static func scalar(_ value: LuaValue) -> String {
        switch value {
        case .nil: return "nil"
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .number(let d): return number(d)
        case .string(let s): return quote(s)
        case .bytes(let b): return quote(bytes: b)
        case .secret: return "<secret>"
        case .function: return "<function>"
        case .table: return "{ … }"
        case .opaque(let type):
            // The reader gives up on cyclic or over-deep tables and calls them "table".
            return "<\(type)>"
        }
    }

    /// A float as Lua's tostring shows it: %.14g, and ".0" when that looks like an integer.
    static func number(_ d: Double) -> String {
        if d.isNaN { return d.sign == .minus ? "-nan" : "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        var s = String(format: "%.14g", d)
        if s.allSatisfy({ $0 == "-" || $0.isASCII && $0.isNumber }) { s += ".0" }
        return s
    }

    // MARK: strings

    /// A quoted Lua string literal in the spirit of `%q`: printable text as is, quotes and
    /// backslashes escaped, \n \r \t, other control characters as decimal escapes (no raw
    /// escape sequence ever reaches the terminal).
    static func quote(_ s: String) -> String {
        var out = "\""
        let scalars = Array(s.unicodeScalars)
        for (i, c) in scalars.enumerated() {
            let next = i + 1 < scalars.count ? scalars[i + 1] : nil
            appendEscaped(c, nextIsDigit: next.map { $0.properties.numericType != nil && $0.isASCII } ?? false, to: &out)
        }
        return out + "\""
    }

    /// A string that is not valid UTF-8: valid sequences as text, every other byte as `\ddd`.
    static func quote(bytes: [UInt8]) -> String {
        var out = "\""
        var i = 0
        func isDigit(_ at: Int) -> Bool { at < bytes.count && bytes[at] >= 0x30 && bytes[at] <= 0x39 }
        while i < bytes.count {
            let b = bytes[i]
            let len = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0
            if len > 0, i + len <= bytes.count,
               let s = String(validating: bytes[i..<(i + len)], as: UTF8.self), let c = s.unicodeScalars.first {
                appendEscaped(c, nextIsDigit: isDigit(i + len), to: &out)
                i += len
            } else {
                out += isDigit(i + 1) ? String(format: "\\%03d", Int(b)) : "\\\(b)"
                i += 1
            }
        }
        return out + "\""
    }

    private static func appendEscaped(_ c: Unicode.Scalar, nextIsDigit: Bool, to out: inout String) {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            let v = c.value
            if v < 0x20 || v == 0x7F {
                out += nextIsDigit ? String(format: "\\%03d", Int(v)) : "\\\(v)"
            } else if (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029 || (0x202A...0x202E).contains(v)
                        || (0x2066...0x2069).contains(v) {
                // C1 controls, line separators and bidi overrides: visible escapes.
                out += "\\u{" + String(v, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(c)
            }
        }
    }

    // MARK: tables

    private static let keywords: Set<String> = [
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    ]

    /// `name` when the key is a Lua identifier, `["key"]` otherwise.
    static func key(_ k: String) -> String {
        let isIdentifier = !k.isEmpty && !keywords.contains(k)
            && k.unicodeScalars.first.map { $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) } == true
            && k.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) }
        return isIdentifier ? k : "[\(quote(k))]"
    }

    private enum Entry {
        case value(LuaValue)
        case field(String, LuaValue)
        case more
    }

    private static func entries(_ t: LuaTable) -> [Entry] {
        var out: [Entry] = []
        for v in t.array {
            if out.count == maxEntries { return out + [.more] }
            out.append(.value(v))
        }
        for (k, v) in t.fields {
            if out.count == maxEntries { return out + [.more] }
            out.append(.field(k, v))
        }
        if t.otherKeys > 0 { out.append(.more) }
        return out
    }

    /// The whole table on one line, nested tables included.
    static func oneLine(_ t: LuaTable, depth: Int) -> String {
        if t.isEmpty { return "{}" }
        if depth > maxDepth { return "{ … }" }
        let items = entries(t).map { e -> String in
            switch e {
            case .value(let v): return inline(v, depth: depth + 1)
            case .field(let k, let v): return "\(key(k)) = \(inline(v, depth: depth + 1))"
            case .more: return "…"
            }
        }
        return "{ " + items.joined(separator: ", ") + " }"
    }

    private static func inline(_ v: LuaValue, depth: Int) -> String {
        if case .table(let t) = v { return oneLine(t, depth: depth) }
        return scalar(v)
    }

    private static func table(_ t: LuaTable, depth: Int, column: Int) -> String {
        let flat = oneLine(t, depth: depth)
        if column + flat.count < lineWidth || t.isEmpty || depth > maxDepth { return flat }
        let pad = String(repeating: " ", count: column)
        let inner = pad + "  "
        var lines = ["{"]
        let items = entries(t)
        for (i, e) in items.enumerated() {
            let comma = i == items.count - 1 ? "" : ","
            switch e {
            case .value(let v):
                lines.append(inner + render(v, depth: depth + 1, column: inner.count) + comma)
            case .field(let k, let v):
                let prefix = "\(key(k)) = "
                lines.append(inner + prefix + render(v, depth: depth + 1, column: inner.count + prefix.count) + comma)
            case .more:
                lines.append(inner + "…")
            }
        }
        lines.append(pad + "}")
        return lines.joined(separator: "\n")
    }
}
