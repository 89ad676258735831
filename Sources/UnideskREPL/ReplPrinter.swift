import Foundation
import LuaRuntime

/// How the REPL shows the values an input returned. Pure: no I/O, no Lua state, so it can
/// be tested on its own. Secrets never reach the text: they render as `<secret>`.
enum ReplPrinter {
    /// A table fits on one line when that line (with its indentation) is shorter than this.
    static let lineWidth = 80

    /// What the REPL prints for a value, and whether anything was left out of it.
    struct Shown {
        var text: String
        var shortened: Bool
    }

    /// The values of one input, tab-separated, as the REPL prints them (no trailing newline).
    static func render(_ values: [LuaValue]) -> String {
        show(LuaGraph(values: values)).text
    }

    /// The values of one input under `limits`: a table inside itself shows as `<cycle N>`
    /// and the table it refers to is marked `<N>`; a table met twice elsewhere (shared, not
    /// inside itself) shows in full both times.
    static func show(_ graph: LuaGraph, limits: ReplDisplayLimits = .brief) -> Shown {
        var builder = ReplShapeBuilder(graph: graph, limits: limits)
        let shapes = graph.roots.map { builder.shape($0) }
        // Each value numbers its own cycles, as each stands alone.
        let text = shapes.map { layout($0, column: 0, marks: cycleMarks($0), pack: limits.packScalars) }.joined(separator: "\t")
        return Shown(text: text, shortened: builder.shortened)
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
            // A function, thread or userdata; "table" only where the plain reader gave up.
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

    /// Numbers for the tables some `<cycle N>` refers to, in the order they first show.
    static func cycleMarks(_ shape: ReplShape) -> [Int: Int] {
        var targets: Set<Int> = []
        func collect(_ s: ReplShape) {
            switch s {
            case .cycle(let id): targets.insert(id)
            case .table(_, let items): items.forEach { forEachShape(in: $0, collect) }
            case .scalar, .cut: break
            }
        }
        collect(shape)
        var marks: [Int: Int] = [:]
        func number(_ s: ReplShape) {
            guard case .table(let id, let items) = s else { return }
            if targets.contains(id), marks[id] == nil { marks[id] = marks.count + 1 }
            items.forEach { forEachShape(in: $0, number) }
        }
        number(shape)
        return marks
    }

    private static func forEachShape(in item: ReplShape.Item, _ body: (ReplShape) -> Void) {
        switch item {
        case .value(let s), .field(_, let s): body(s)
        case .summary(let head, _): head.forEach(body)
        case .more: break
        }
    }

    /// The whole shape on one line, nested tables included.
    static func oneLine(_ shape: ReplShape, marks: [Int: Int] = [:]) -> String {
        switch shape {
        case .scalar(let s): return s
        case .cut: return "{ … }"
        case .cycle(let id): return "<cycle \(marks[id].map(String.init) ?? "?")>"
        case .table(let id, let items):
            let mark = marks[id].map { "<\($0)>" } ?? ""
            if items.isEmpty { return mark + "{}" }
            return mark + "{ " + items.map { oneLine($0, marks: marks) }.joined(separator: ", ") + " }"
        }
    }

    private static func oneLine(_ item: ReplShape.Item, marks: [Int: Int]) -> String {
        switch item {
        case .value(let s): return oneLine(s, marks: marks)
        case .field(let k, let s): return "\(key(k)) = \(oneLine(s, marks: marks))"
        case .more: return "…"
        case .summary(let head, let count):
            return (head.map { oneLine($0, marks: marks) } + ["… (\(count) items)"]).joined(separator: ", ")
        }
    }

    /// One line when it fits at `column`, else one entry per line (a summary stays one line),
    /// two spaces deeper than `indent`, the indentation of the line the table starts on (a
    /// field's table is indented under its key, not under its `{`).
    /// `pack`: see `ReplDisplayLimits.packScalars`.
    private static func layout(_ shape: ReplShape, column: Int, indent: Int = 0, marks: [Int: Int], pack: Bool = false) -> String {
        let flat = oneLine(shape, marks: marks)
        guard case .table(let id, let items) = shape, column + flat.count >= lineWidth, !items.isEmpty else { return flat }
        let pad = String(repeating: " ", count: indent)
        let inner = pad + "  "
        var lines = [(marks[id].map { "<\($0)>" } ?? "") + "{"]
        var packing = false   // the last line holds packed scalars and may take more
        for (i, item) in items.enumerated() {
            let comma = i == items.count - 1 ? "" : ","
            if pack, case .value(.scalar(let text)) = item {
                if packing, let last = lines.last, last.count + 1 + text.count + comma.count < lineWidth {
                    lines[lines.count - 1] = last + " " + text + comma
                } else {
                    lines.append(inner + text + comma)
                    packing = true
                }
                continue
            }
            packing = false
            switch item {
            case .value(let s):
                lines.append(inner + layout(s, column: inner.count, indent: inner.count, marks: marks, pack: pack) + comma)
            case .field(let k, let s):
                let prefix = "\(key(k)) = "
                lines.append(inner + prefix + layout(s, column: inner.count + prefix.count, indent: inner.count, marks: marks, pack: pack) + comma)
            case .more, .summary:
                lines.append(inner + oneLine(item, marks: marks) + comma)
            }
        }
        lines.append(pad + "}")
        return lines.joined(separator: "\n")
    }
}
