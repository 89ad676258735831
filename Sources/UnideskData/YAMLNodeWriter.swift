import Yams

/// Builds the Yams node tree for a `DataValue`, choosing scalar styles so the text reads back
/// as the same value.
///
/// Every node carries an explicit tag so the emitter never runs Yams' regex resolver; the tags
/// are not printed because the emitter marks scalars as implicit. The tags are made once per
/// document because each `Tag` otherwise builds a fresh `Constructor` with its lookup tables.
struct YAMLNodeWriter {
    private let nullTag, boolTag, intTag, floatTag, stringTag, sequenceTag, mappingTag: Tag

    init() {
        let constructor = Constructor.default
        func tag(_ name: Tag.Name) -> Tag { Tag(name, .basic, constructor) }
        nullTag = tag(.null)
        boolTag = tag(.bool)
        intTag = tag(.int)
        floatTag = tag(.float)
        stringTag = tag(.str)
        sequenceTag = tag(.seq)
        mappingTag = tag(.map)
    }

    func node(for value: DataValue) -> Node {
        switch value {
        case .null:
            return plain("null", nullTag)
        case let .bool(flag):
            return plain(flag ? "true" : "false", boolTag)
        case let .int(integer):
            return plain(String(integer), intTag)
        case let .double(double):
            return plain(Self.text(of: double), floatTag)
        case let .string(string):
            return .scalar(.init(string, stringTag, Self.style(for: string)))
        case let .array(elements):
            return .sequence(.init(elements.map(node(for:)), sequenceTag, .block))
        case let .object(pairs):
            let nodes = pairs.map { (node(for: .string($0.0)), node(for: $0.1)) }
            return .mapping(.init(nodes, mappingTag, .block))
        }
    }

    private func plain(_ text: String, _ tag: Tag) -> Node {
        .scalar(.init(text, tag, .plain))
    }

    private static func text(of double: Double) -> String {
        if double.isNaN { return ".nan" }
        if double.isInfinite { return double < 0 ? "-.inf" : ".inf" }
        // Always contains '.' or 'e', so it cannot read back as an int.
        return double.description
    }

    /// libyaml itself falls back to a quoted style when the requested one cannot hold the text
    /// (leading spaces, ": ", "#", indicators, control characters); what it cannot know is which
    /// plain texts a reader would turn into another type, so those are quoted here.
    static func style(for string: String) -> Node.Scalar.Style {
        if string.unicodeScalars.contains(where: isLineBreakThatBlockStylesNormalise) {
            return .doubleQuoted
        }
        if readsAsNonString(string) {
            return .singleQuoted
        }
        if string.utf8.contains(UInt8(ascii: "\n")) {
            return .literal
        }
        return .plain
    }

    /// True when a plain scalar with this text would not read back as this string, either here
    /// (core schema) or in YAML 1.1 readers such as kubectl's (`yes`, `on`, `1_000`, `2024-01-01`, `<<`).
    static func readsAsNonString(_ string: String) -> Bool {
        if case .string = YAMLScalarResolver.resolvePlain(string) {} else { return true }
        return looksTypedInYAML11(string)
    }

    /// A cheap superset of Yams' YAML 1.1 resolver rules (which are regexes, and far too slow to
    /// run per scalar): anything number-, date- or time-like is quoted, even if 1.1 would not type it.
    private static func looksTypedInYAML11(_ string: String) -> Bool {
        if yaml11Words.contains(string) { return true }
        var body = Substring(string).utf8[...]
        if let sign = body.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            body = body.dropFirst()
        }
        guard let first = body.first, isDigit(first) || first == UInt8(ascii: ".") else { return false }
        if body.allSatisfy(numberLikeBytes.contains) { return true }
        // Timestamps with a time part (`2001-12-14 21:59:43.10 -5`) contain spaces and letters.
        let prefix = Array(body.prefix(5))
        return prefix.count == 5 && prefix[0..<4].allSatisfy(isDigit) && prefix[4] == UInt8(ascii: "-")
    }

    private static let yaml11Words: Set<String> = [
        "y", "Y", "n", "N", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
        "<<", "=",
    ]

    /// Digits, hex letters, base prefixes (x, o, b), exponent signs, '_', '.', ':' (sexagesimal) and '-' (dates).
    private static let numberLikeBytes: Set<UInt8> = Set("0123456789abcdefABCDEFxXoO_.:+-".utf8)

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// CR, NEL, LS and PS would be turned into "\n" or folded inside plain, single-quoted or block
    /// scalars; only double quotes can escape them.
    private static func isLineBreakThatBlockStylesNormalise(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }
}
