import LuaRuntime
import UnideskData

/// Conversions between Lua values and the neutral data model (JSON/YAML, reports).
public enum LuaData {
    public struct ConversionError: Error, CustomStringConvertible {
        public let description: String
    }

    /// What `toData` does with values that have no faithful data form.
    public struct Encoding: Sendable {
        /// Secrets become "<secret>" instead of an error.
        public var maskSecrets = false
        /// Functions and userdata become "<function>"/"<userdata>", a table that mixes a
        /// sequence and string keys keeps both (the sequence under "1", "2", …), and keys that
        /// are neither are skipped, instead of an error.
        public var describeUnencodable = false
        /// A string that is not valid UTF-8 (JSON and YAML hold text).
        public var invalidUTF8: InvalidUTF8 = .error

        public enum InvalidUTF8: Sendable {
            /// An error naming the path (json.encode, state, outputs: never silently altered).
            case error
            /// U+FFFD for each bad sequence (json.encode's `invalid_utf8 = "replace"`).
            case replace
            /// Each bad byte as U+00NN (json.encode's `invalid_utf8 = "escape"`).
            case latin1
            /// Each bad byte as the text `\xNN` (what the audit shows of an argument).
            case escapedText
        }

        /// JSON, YAML, state values, outputs: anything that is not plain data is an error.
        public static let strict = Encoding()
        /// What a recording keeps of a result or a raised error's fields: secrets masked,
        /// the rest must be data (a result that is a function cannot be replayed).
        public static let maskingSecrets = Encoding(maskSecrets: true, invalidUTF8: .escapedText)
        /// The audit journal's and a recording's arguments: everything has a description
        /// (a function argument cannot be replayed, but a call can be matched on it).
        public static let describing = Encoding(maskSecrets: true, describeUnencodable: true, invalidUTF8: .escapedText)
    }

    /// Lua → data, the one conversion every caller uses. Empty tables become `{}`; NaN and
    /// infinity are always an error (JSON cannot hold them).
    public static func toData(_ v: LuaValue, _ encoding: Encoding = .strict, path: String = "value") throws(ConversionError) -> DataValue {
        switch v {
        case .nil, .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .number(let d):
            guard d.isFinite else { throw ConversionError(description: "\(path): cannot represent \(d) (NaN or infinity)") }
            return .double(d)
        case .string(let s): return .string(s)
        case .bytes(let b):
            switch encoding.invalidUTF8 {
            case .error:
                let bad = firstInvalidByte(b)
                throw ConversionError(description: "\(path): not valid UTF-8 (byte 0x\(String(bad?.byte ?? 0, radix: 16).uppercased().leftPadded2) at offset \(bad?.offset ?? 0)); JSON, YAML and reports hold text: encode binary data first (hex, base64)")
            case .replace: return .string(String(decoding: b, as: UTF8.self))
            case .latin1: return .string(latin1Bytes(b))
            case .escapedText: return .string(ByteText.escaped(b))
            }
        case .secret:
            if encoding.maskSecrets { return .string(Redactor.mask) }
            throw ConversionError(description: "\(path) is a secret: secrets cannot be encoded")
        case .function, .opaque:
            if encoding.describeUnencodable { return .string("<\(v.typeName)>") }
            throw ConversionError(description: "\(path): cannot encode a \(v.typeName)")
        case .table(let t):
            let lenient = encoding.describeUnencodable
            if t.otherKeys > 0 && !lenient {
                throw ConversionError(description: "\(path): table has keys that are neither strings nor a 1..n sequence")
            }
            if !t.array.isEmpty && !t.fields.isEmpty && !lenient {
                throw ConversionError(description: "\(path): table mixes a sequence and string keys")
            }
            if t.fields.isEmpty && !t.array.isEmpty {
                var out: [DataValue] = []
                out.reserveCapacity(t.array.count)
                for (i, e) in t.array.enumerated() { out.append(try toData(e, encoding, path: "\(path)[\(i + 1)]")) }
                return .array(out)
            }
            var out: [(String, DataValue)] = []
            out.reserveCapacity(t.array.count + t.fields.count)
            for (i, e) in t.array.enumerated() { out.append((String(i + 1), try toData(e, encoding, path: "\(path)[\(i + 1)]"))) }
            for (k, e) in t.fields { out.append((k, try toData(e, encoding, path: "\(path).\(k)"))) }
            return .object(out)
        }
    }

    /// Each byte that is not part of a valid UTF-8 sequence as the character U+00NN (the byte
    /// read as Latin-1): json.encode's `invalid_utf8 = "escape"`.
    static func latin1Bytes(_ b: [UInt8]) -> String {
        ByteText.decoded(b) { String(Unicode.Scalar($0)) }
    }

    /// The first byte that is not valid UTF-8, for errors ("byte 0xFF at offset 1").
    static func firstInvalidByte(_ b: [UInt8]) -> (offset: Int, byte: UInt8)? {
        var i = 0
        while i < b.count {
            let n = ByteText.validSequenceLength(b, at: i)
            if n == 0 { return (i, b[i]) }
            i += n
        }
        return nil
    }

    /// Data → Lua. JSON null becomes the `unidesk.null` sentinel (so it survives as a value).
    public static func toLua(_ d: DataValue) -> LuaValue {
        switch d {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let x): return .number(x)
        case .string(let s): return .string(s)
        case .array(let a): return .table(LuaTable(array: a.map(toLua)))
        case .object(let o): return .table(LuaTable(fields: o.map { ($0.0, toLua($0.1)) }))
        }
    }

    /// Arguments as the audit journal keeps them: secrets masked, long strings cut.
    public static func auditArguments(_ args: [LuaValue], redactor: Redactor) -> DataValue {
        .array(args.map { a in
            let d = (try? toData(a, .describing)) ?? .string("<\(a.typeName)>")
            return shorten(d, redactor: redactor)
        })
    }

    static func shorten(_ d: DataValue, redactor: Redactor) -> DataValue {
        switch d {
        case .string(let s):
            let clean = redactor.scrub(s)
            return clean.utf8.count > 256 ? .string("<\(s.utf8.count) bytes>") : .string(clean)
        case .array(let a): return .array(a.prefix(50).map { shorten($0, redactor: redactor) })
        case .object(let o): return .object(o.prefix(50).map { ($0.0, shorten($0.1, redactor: redactor)) })
        default: return d
        }
    }
}

private extension String {
    var leftPadded2: String { count >= 2 ? self : String(repeating: "0", count: 2 - count) + self }
}
