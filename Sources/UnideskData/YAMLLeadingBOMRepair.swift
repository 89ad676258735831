import Yams

/// Restores a leading U+FEFF that Yams drops from scalar values.
///
/// Yams turns libyaml's scalar bytes into a String with Foundation's `String(bytes:encoding:)`,
/// which strips one leading byte-order mark, so `"\uFEFFx"` would read back as `"x"` and break
/// round trips. The scalar's start mark lets us look at its source text and see whether it
/// began with one. Built only when the text contains a U+FEFF or a `\uFEFF` escape at all.
struct YAMLLeadingBOMRepair {
    private static let bom: Unicode.Scalar = "\u{FEFF}"

    private let source: [Unicode.Scalar]
    private let lineStarts: [Int]

    init?(source text: String) {
        guard Self.bytesMightHaveBOM(text.utf8) else { return nil }
        // A stream-level BOM stays: libyaml counts it as a column of the first line.
        let scalars = Array(text.unicodeScalars)
        guard Self.mightHaveBOMInScalars(scalars) else { return nil }
        source = scalars
        var starts = [0]
        var index = 0
        while index < scalars.count {
            switch scalars[index] {
            case "\r":
                if index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
                starts.append(index + 1)
            case "\n", "\u{85}", "\u{2028}", "\u{2029}":
                starts.append(index + 1)
            default:
                break
            }
            index += 1
        }
        lineStarts = starts
    }

    /// `text` with the dropped U+FEFF put back when the scalar's source started with one.
    func repair(_ text: String, of scalar: Node.Scalar) -> String {
        leadingBOMWasDropped(scalar) ? "\u{FEFF}" + text : text
    }

    private func leadingBOMWasDropped(_ scalar: Node.Scalar) -> Bool {
        guard let mark = scalar.mark, mark.line >= 1, mark.line <= lineStarts.count else { return false }
        var index = lineStarts[mark.line - 1] + mark.column - 1
        // The start mark covers node properties (`&anchor`, `!tag`) written before the scalar.
        while index < source.count, source[index] == "&" || source[index] == "!" {
            while index < source.count, !isWhitespace(source[index]) { index += 1 }
            while index < source.count, isWhitespace(source[index]) { index += 1 }
        }
        guard index < source.count else { return false }
        switch scalar.style {
        case .doubleQuoted:
            guard source[index] == "\"" else { return false }
            return startsWithBOM(at: index + 1, escapesAllowed: true)
        case .singleQuoted:
            guard source[index] == "'" else { return false }
            return startsWithBOM(at: index + 1, escapesAllowed: false)
        case .plain, .any:
            return startsWithBOM(at: index, escapesAllowed: false)
        case .literal, .folded:
            // The emitter never writes a BOM-led string as a block scalar (it is not printable).
            return false
        }
    }

    private func startsWithBOM(at index: Int, escapesAllowed: Bool) -> Bool {
        guard index < source.count else { return false }
        return source[index] == Self.bom || (escapesAllowed && Self.isEscapedBOM(in: source, at: index))
    }

    private func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    /// `\uFEFF` or `\U0000FEFF` (any hex case) starting at `index`.
    private static func isEscapedBOM(in scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard scalars[index] == "\\", index + 1 < scalars.count else { return false }
        let digitCount: Int
        switch scalars[index + 1] {
        case "u": digitCount = 4
        case "U": digitCount = 8
        default: return false
        }
        let start = index + 2
        guard start + digitCount <= scalars.count else { return false }
        var digits = ""
        digits.unicodeScalars.append(contentsOf: scalars[start..<(start + digitCount)])
        return UInt32(digits, radix: 16) == bom.value
    }

    private static func mightHaveBOMInScalars(_ scalars: [Unicode.Scalar]) -> Bool {
        scalars.indices.dropFirst().contains { scalars[$0] == bom } || scalars.indices.contains { isEscapedBOM(in: scalars, at: $0) }
    }

    /// Cheap byte scan so that ordinary documents skip the scalar copy entirely.
    private static func bytesMightHaveBOM(_ utf8: String.UTF8View) -> Bool {
        var previous: UInt8 = 0
        var index = 0
        for byte in utf8 {
            // 0xEF starts an encoded U+FEFF; at offset 0 it is the stream's own BOM.
            if byte == 0xEF && index > 0 { return true }
            if previous == UInt8(ascii: "\\") && (byte == UInt8(ascii: "u") || byte == UInt8(ascii: "U")) { return true }
            previous = byte
            index += 1
        }
        return false
    }
}
