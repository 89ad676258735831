/// Serialises `DataValue` to JSON text into a byte buffer.
struct JSONWriter {
    private let options: JSON.EncodeOptions
    private var output: [UInt8] = []

    init(options: JSON.EncodeOptions) {
        self.options = options
        output.reserveCapacity(256)
    }

    mutating func finish() -> String {
        String(decoding: output, as: UTF8.self)
    }

    mutating func write(_ value: DataValue, depth: Int) throws(DataCodecError) {
        switch value {
        case .null:
            append("null")
        case let .bool(flag):
            append(flag ? "true" : "false")
        case let .int(integer):
            append(String(integer))
        case let .double(double):
            guard double.isFinite else {
                throw DataCodecError("cannot encode NaN/Infinity as JSON")
            }
            // Swift's description is the shortest text that round-trips, and always has '.' or 'e',
            // so the value reads back as a double rather than an int.
            append(double.description)
        case let .string(string):
            writeString(string)
        case let .array(elements):
            try writeArray(elements, depth: depth)
        case let .object(pairs):
            try writeObject(pairs, depth: depth)
        }
    }

    private mutating func writeArray(_ elements: [DataValue], depth: Int) throws(DataCodecError) {
        guard !elements.isEmpty else {
            append("[]")
            return
        }
        output.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            writeNewline(depth: depth + 1)
            try write(element, depth: depth + 1)
        }
        writeNewline(depth: depth)
        output.append(UInt8(ascii: "]"))
    }

    private mutating func writeObject(_ pairs: [(String, DataValue)], depth: Int) throws(DataCodecError) {
        guard !pairs.isEmpty else {
            append("{}")
            return
        }
        let ordered = options.sortKeys
            ? pairs.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            : pairs
        output.append(UInt8(ascii: "{"))
        for (index, pair) in ordered.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            writeNewline(depth: depth + 1)
            writeString(pair.0)
            output.append(UInt8(ascii: ":"))
            if options.pretty { output.append(UInt8(ascii: " ")) }
            try write(pair.1, depth: depth + 1)
        }
        writeNewline(depth: depth)
        output.append(UInt8(ascii: "}"))
    }

    private mutating func writeNewline(depth: Int) {
        guard options.pretty else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: max(0, options.indent) * depth))
    }

    private mutating func writeString(_ string: String) {
        var string = string
        string.withUTF8 { writeEscaped($0) }
    }

    private mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        output.append(UInt8(ascii: "\""))
        var runStart = 0
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            let escape: String
            var width = 1
            switch byte {
            case UInt8(ascii: "\""): escape = "\\\""
            case UInt8(ascii: "\\"): escape = "\\\\"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            case 0x08: escape = "\\b"
            case 0x0C: escape = "\\f"
            case 0..<0x20:
                escape = "\\u00" + String(Self.hexDigits[Int(byte >> 4)]) + String(Self.hexDigits[Int(byte & 0x0F)])
            case 0xE2 where index + 2 < utf8.count && utf8[index + 1] == 0x80
                && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9):
                // U+2028/U+2029 are legal in JSON but end lines in JavaScript source.
                escape = utf8[index + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                width = 3
            default:
                index += 1
                continue
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            append(escape)
            index += width
            runStart = index
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        output.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [Character] = Array("0123456789abcdef")

    private mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }
}
