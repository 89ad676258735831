/// JSON codec for `DataValue` that keeps integers apart from doubles and preserves key order.
public enum JSON {
    /// How `JSON.encode` lays out its output.
    public struct EncodeOptions: Sendable {
        /// Multi-line output with `indent` spaces per level and `"key": value`.
        public var pretty: Bool
        /// Sort object keys by UTF-8 byte order so output is stable; false keeps the given order.
        public var sortKeys: Bool
        /// Spaces per nesting level when `pretty` is true.
        public var indent: Int

        /// Creates options; the defaults give compact output with sorted keys.
        public init(pretty: Bool = false, sortKeys: Bool = true, indent: Int = 2) {
            self.pretty = pretty
            self.sortKeys = sortKeys
            self.indent = indent
        }
    }

    /// Serialises `value`; throws for NaN or infinite doubles, which JSON cannot represent.
    public static func encode(_ value: DataValue, options: EncodeOptions = .init()) throws(DataCodecError) -> String {
        var writer = JSONWriter(options: options)
        try writer.write(value, depth: 0)
        return writer.finish()
    }

    /// Parses one JSON value (RFC 8259) from `text`.
    public static func decode(_ text: String) throws(DataCodecError) -> DataValue {
        var text = text
        let result: Result<DataValue, DataCodecError> = text.withUTF8 { bytes in
            Result { () throws(DataCodecError) -> DataValue in
                var parser = JSONParser(bytes: bytes, inputIsValidUTF8: true)
                return try parser.parseDocument()
            }
        }
        return try result.get()
    }

    /// Parses one JSON value from UTF-8 `bytes`; invalid UTF-8 is an error.
    public static func decode(bytes: [UInt8]) throws(DataCodecError) -> DataValue {
        let result: Result<DataValue, DataCodecError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(DataCodecError) -> DataValue in
                var parser = JSONParser(bytes: buffer, inputIsValidUTF8: false)
                return try parser.parseDocument()
            }
        }
        return try result.get()
    }
}
