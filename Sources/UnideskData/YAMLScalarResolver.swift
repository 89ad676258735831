import Yams

/// Decides what a YAML scalar means, following the YAML 1.2 core schema that Kubernetes
/// manifests are written for, rather than Yams' YAML 1.1 default (where `yes`/`on` are booleans).
///
/// One YAML 1.1 rule is kept on purpose: `0644` is octal, because kubectl reads
/// `defaultMode: 0644` that way and manifests in the wild depend on it.
enum YAMLScalarResolver {
    /// The value of a scalar as parsed, honouring quoting and explicit `!!` tags; `text` is its content.
    static func value(of scalar: Node.Scalar, text: String) throws(DataCodecError) -> DataValue {
        switch scalar.tag.rawValue {
        case Tag.Name.implicit.rawValue:
            // Yams leaves only plain scalars untagged; quoted and block scalars arrive as !!str.
            return scalar.style == .plain || scalar.style == .any ? resolvePlain(text) : .string(text)
        case Tag.Name.null.rawValue:
            return .null
        case Tag.Name.bool.rawValue:
            guard let flag = bool(text) else { throw tagMismatch("!!bool", scalar, text) }
            return .bool(flag)
        case Tag.Name.int.rawValue:
            guard let integer = integer(text) else { throw tagMismatch("!!int", scalar, text) }
            return .int(integer)
        case Tag.Name.float.rawValue:
            if let special = specialFloat(text) { return .double(special) }
            if let integer = integer(text) { return .double(Double(integer)) }
            guard let double = float(text) else { throw tagMismatch("!!float", scalar, text) }
            return .double(double)
        default:
            // !!str, the non-specific "!", and application tags such as !Ref keep their text.
            return .string(text)
        }
    }

    /// The value an unquoted, untagged scalar with this text reads as.
    static func resolvePlain(_ text: String) -> DataValue {
        switch text {
        case "", "~", "null", "Null", "NULL":
            return .null
        default:
            break
        }
        if let flag = bool(text) { return .bool(flag) }
        if let special = specialFloat(text) { return .double(special) }
        guard let first = text.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                || first == UInt8(ascii: ".") || isDigit(first) else {
            return .string(text)
        }
        if let integer = integer(text) { return .int(integer) }
        if isDecimalDigits(text) {
            // Too large for Int64: keep the magnitude as JSON decoding does.
            return Double(text).map(DataValue.double) ?? .string(text)
        }
        if let double = float(text) { return .double(double) }
        return .string(text)
    }

    // MARK: Core-schema forms

    private static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    private static func specialFloat(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: return nil
        }
    }

    /// Decimal, `0x` hex, `0o` octal and legacy `0`-prefixed octal; nil when malformed or out of range.
    static func integer(_ text: String) -> Int64? {
        var digits = Substring(text).utf8[...]
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var radix: UInt64 = 10
        if digits.count > 2, digits.first == UInt8(ascii: "0") {
            let marker = digits[digits.index(after: digits.startIndex)]
            if marker == UInt8(ascii: "x") {
                radix = 16
                digits = digits.dropFirst(2)
            } else if marker == UInt8(ascii: "o") {
                radix = 8
                digits = digits.dropFirst(2)
            }
        }
        if radix == 10, digits.count > 1, digits.first == UInt8(ascii: "0"),
           digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) {
            radix = 8
        }
        var magnitude: UInt64 = 0
        for byte in digits {
            guard let digit = digitValue(byte), UInt64(digit) < radix else { return nil }
            let (shifted, overflowMultiply) = magnitude.multipliedReportingOverflow(by: radix)
            let (next, overflowAdd) = shifted.addingReportingOverflow(UInt64(digit))
            if overflowMultiply || overflowAdd { return nil }
            magnitude = next
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, checked by hand to avoid regex cost.
    static func float(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        var index = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            index += 1
        }
        let integerStart = index
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        let integerDigits = index - integerStart
        var fractionDigits = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            fractionDigits = index - fractionStart
        }
        guard integerDigits > 0 || fractionDigits > 0 else { return nil }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                index += 1
            }
            let exponentStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > exponentStart else { return nil }
        }
        guard index == bytes.count else { return nil }
        return Double(text)
    }

    private static func isDecimalDigits(_ text: String) -> Bool {
        var digits = Substring(text).utf8[...]
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            digits = digits.dropFirst()
        }
        return !digits.isEmpty && digits.allSatisfy(isDigit)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func digitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func tagMismatch(_ tag: String, _ scalar: Node.Scalar, _ text: String) -> DataCodecError {
        let prefix = scalar.mark.map { "invalid YAML at line \($0.line), column \($0.column)" } ?? "invalid YAML"
        return DataCodecError("\(prefix): '\(text)' is not a valid \(tag) value",
                              line: scalar.mark?.line, column: scalar.mark?.column)
    }
}
