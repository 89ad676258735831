import UnideskData

/// A value of a result cell or a statement parameter.
public enum PGValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case text(String)
    case bytes([UInt8])
    /// json and jsonb cells, decoded; as a parameter, sent as JSON text.
    case json(DataValue)

    /// The text form PostgreSQL accepts for a parameter; nil for NULL.
    var parameterText: [UInt8]? {
        switch self {
        case .null: return nil
        case .bool(let b): return Array((b ? "true" : "false").utf8)
        case .int(let i): return Array(String(i).utf8)
        case .double(let d):
            if d.isNaN { return Array("NaN".utf8) }
            if d.isInfinite { return Array((d > 0 ? "Infinity" : "-Infinity").utf8) }
            return Array("\(d)".utf8)
        case .text(let s): return Array(s.utf8)
        case .bytes(let b): return b
        case .json(let v): return Array(((try? JSON.encode(v)) ?? "null").utf8)
        }
    }
}

/// Type OIDs from pg_type.h that decode to something other than text.
enum PGType {
    static let bool: UInt32 = 16
    static let bytea: UInt32 = 17
    static let int8: UInt32 = 20
    static let int2: UInt32 = 21
    static let int4: UInt32 = 23
    static let oidType: UInt32 = 26
    static let json: UInt32 = 114
    static let float4: UInt32 = 700
    static let float8: UInt32 = 701
    static let jsonb: UInt32 = 3802

    /// Decodes one cell from its text form. Types without a Lua counterpart (numeric,
    /// timestamps, arrays, uuid…) stay text, exactly as the server wrote them.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, oid: UInt32) -> PGValue {
        let text = { String(decoding: bytes, as: UTF8.self) }
        switch oid {
        case bool: return .bool(bytes.first == UInt8(ascii: "t"))
        case int2, int4, int8, oidType:
            if let i = Int64(text()) { return .int(i) }
            return .text(text())
        case float4, float8:
            if let d = Double(text()) { return .double(d) }
            switch text() {
            case "Infinity": return .double(.infinity)
            case "-Infinity": return .double(-.infinity)
            default: return .double(.nan)
            }
        case json, jsonb:
            if let v = try? JSON.decode(bytes: Array(bytes)) { return .json(v) }
            return .text(text())
        case bytea: return decodeHexBytea(bytes) ?? .text(text())
        default: return .text(text())
        }
    }

    /// bytea's hex output format: `\x` followed by two hex digits per byte.
    private static func decodeHexBytea(_ b: UnsafeBufferPointer<UInt8>) -> PGValue? {
        guard b.count >= 2, b[0] == UInt8(ascii: "\\"), b[1] == UInt8(ascii: "x"), b.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity((b.count - 2) / 2)
        var i = 2
        while i < b.count {
            guard let hi = nibble(b[i]), let lo = nibble(b[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return .bytes(out)
    }
}
