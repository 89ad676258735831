/// RFC 8259 parser working directly on UTF-8 bytes.
///
/// Bytes rather than Characters because Kubernetes objects run to hundreds of kilobytes and
/// grapheme breaking would dominate the cost; positions are turned into line/column only when
/// an error is reported.
struct JSONParser {
    /// Deep enough for any real API object, shallow enough that recursion cannot exhaust the stack.
    static let maxDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    /// Input that came from a Swift String is already valid UTF-8 and needs no second check.
    private let inputIsValidUTF8: Bool
    private var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>, inputIsValidUTF8: Bool) {
        self.bytes = bytes
        self.inputIsValidUTF8 = inputIsValidUTF8
    }

    mutating func parseDocument() throws(DataCodecError) -> DataValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            position = 3
        }
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if position < bytes.count {
            throw error("unexpected trailing characters after the JSON value", at: position)
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(DataCodecError) -> DataValue {
        guard position < bytes.count else {
            throw error("unexpected end of input, expected a value", at: position)
        }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw error("expected a value", at: position)
        }
    }

    private mutating func parseObject(depth: Int) throws(DataCodecError) -> DataValue {
        try checkDepth(depth)
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object([])
        }
        var members = ObjectPairsBuilder()
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw unexpected(expected: "a string key")
            }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw unexpected(expected: "':'")
            }
            position += 1
            skipWhitespace()
            members.set(key, try parseValue(depth: depth))
            skipWhitespace()
            guard position < bytes.count else { throw unexpected(expected: "',' or '}'") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(members.pairs)
            default:
                throw unexpected(expected: "',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(DataCodecError) -> DataValue {
        try checkDepth(depth)
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array([])
        }
        var elements: [DataValue] = []
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard position < bytes.count else { throw unexpected(expected: "',' or ']'") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(elements)
            default:
                throw unexpected(expected: "',' or ']'")
            }
        }
    }

    private func checkDepth(_ depth: Int) throws(DataCodecError) {
        if depth > Self.maxDepth {
            throw error("nesting deeper than \(Self.maxDepth) levels", at: position)
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(DataCodecError) {
        let start = position
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in expected {
            guard position < bytes.count, bytes[position] == byte else {
                throw error("expected '\(literal)'", at: start)
            }
            position += 1
        }
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(DataCodecError) -> DataValue {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else {
            throw unexpected(expected: "a digit")
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) {
                throw error("leading zeros are not allowed in numbers", at: position - 1)
            }
        } else {
            skipDigits()
        }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw unexpected(expected: "a digit after '.'")
            }
            skipDigits()
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw unexpected(expected: "a digit in the exponent")
            }
            skipDigits()
        }
        if isInteger, let integer = integerValue(digitsFrom: negative ? start + 1 : start, negative: negative) {
            return .int(integer)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else {
            throw error("number \(text) is out of range", at: start)
        }
        return .double(double)
    }

    /// Nil when the digits overflow Int64, so the caller falls back to Double as the JSON spec allows.
    private func integerValue(digitsFrom start: Int, negative: Bool) -> Int64? {
        var value: Int64 = 0
        for index in start..<position {
            let digit = Int64(bytes[index] &- UInt8(ascii: "0"))
            let (shifted, overflowMultiply) = value.multipliedReportingOverflow(by: 10)
            // Accumulate negatives downwards so Int64.min is reachable.
            let (next, overflowAdd) = negative
                ? shifted.subtractingReportingOverflow(digit)
                : shifted.addingReportingOverflow(digit)
            if overflowMultiply || overflowAdd { return nil }
            value = next
        }
        return value
    }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) {
            position += 1
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: Strings

    private mutating func parseString() throws(DataCodecError) -> String {
        let openingQuote = position
        position += 1
        let contentStart = position
        // Fast path: most strings have no escapes and can be copied in one go.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let string = try makeString(UnsafeBufferPointer(rebasing: bytes[contentStart..<position]),
                                            openingQuote: openingQuote)
                position += 1
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw controlCharacterError() }
            position += 1
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(position - contentStart + 16)
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[contentStart..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return try buffer.withUnsafeBufferPointer { (content) throws(DataCodecError) -> String in
                    try makeString(content, openingQuote: openingQuote)
                }
            case UInt8(ascii: "\\"):
                try appendEscape(to: &buffer)
            case 0..<0x20:
                throw controlCharacterError()
            default:
                buffer.append(byte)
                position += 1
            }
        }
        throw error("unterminated string", at: openingQuote)
    }

    private func makeString(_ content: UnsafeBufferPointer<UInt8>, openingQuote: Int) throws(DataCodecError) -> String {
        if inputIsValidUTF8 {
            return String(decoding: content, as: UTF8.self)
        }
        guard let string = String(validating: content, as: UTF8.self) else {
            throw error("invalid UTF-8 in string", at: openingQuote)
        }
        return string
    }

    private func controlCharacterError() -> DataCodecError {
        error("unescaped control character in string", at: position)
    }

    private mutating func appendEscape(to buffer: inout [UInt8]) throws(DataCodecError) {
        let escapeStart = position
        position += 1
        guard position < bytes.count else { throw error("unterminated string", at: escapeStart) }
        let escaped = bytes[position]
        position += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
            buffer.append(escaped)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let scalar = try parseUnicodeEscape(escapeStart: escapeStart)
            appendUTF8(scalar, to: &buffer)
        default:
            throw error("invalid escape sequence", at: escapeStart)
        }
    }

    /// Reads the hex digits after `\u`, joining a surrogate pair when one follows.
    private mutating func parseUnicodeEscape(escapeStart: Int) throws(DataCodecError) -> Unicode.Scalar {
        let first = try readHex4(escapeStart: escapeStart)
        switch first {
        case 0xD800...0xDBFF:
            let lowStart = position
            guard position + 1 < bytes.count,
                  bytes[position] == UInt8(ascii: "\\"),
                  bytes[position + 1] == UInt8(ascii: "u") else {
                throw error("unpaired high surrogate in \\u escape", at: escapeStart)
            }
            position += 2
            let second = try readHex4(escapeStart: lowStart)
            guard (0xDC00...0xDFFF).contains(second) else {
                throw error("unpaired high surrogate in \\u escape", at: escapeStart)
            }
            let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let scalar = Unicode.Scalar(combined) else {
                throw error("invalid \\u escape", at: escapeStart)
            }
            return scalar
        case 0xDC00...0xDFFF:
            throw error("unpaired low surrogate in \\u escape", at: escapeStart)
        default:
            guard let scalar = Unicode.Scalar(first) else {
                throw error("invalid \\u escape", at: escapeStart)
            }
            return scalar
        }
    }

    private mutating func readHex4(escapeStart: Int) throws(DataCodecError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < bytes.count, let digit = hexValue(bytes[position]) else {
                throw error("expected 4 hex digits after \\u", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private func appendUTF8(_ scalar: Unicode.Scalar, to buffer: inout [UInt8]) {
        if let encoded = UTF8.encode(scalar) {
            buffer.append(contentsOf: encoded)
        }
    }

    // MARK: Whitespace and errors

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                position += 1
            default:
                return
            }
        }
    }

    private func unexpected(expected: String) -> DataCodecError {
        if position >= bytes.count {
            return error("unexpected end of input, expected \(expected)", at: position)
        }
        return error("expected \(expected)", at: position)
    }

    private func error(_ problem: String, at offset: Int) -> DataCodecError {
        let location = TextLocation(utf8: bytes, offset: offset)
        return DataCodecError("invalid JSON at line \(location.line), column \(location.column): \(problem)",
                              line: location.line, column: location.column)
    }
}
