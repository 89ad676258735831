/// A Lua value on the Swift side of the boundary: a converted copy, never a live reference.
public enum LuaValue: Sendable {
    case `nil`
    /// The JSON/YAML null sentinel (`unidesk.null`): a value, unlike `nil`.
    case null
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case string(String)
    /// A Lua string that is not valid UTF-8, kept byte for byte.
    case bytes([UInt8])
    case table(LuaTable)
    case secret(Secret)
    /// Output only: a host function pushed as a Lua function.
    case function(HostFunction)
    /// Input only: a value with no Swift form (a Lua function, thread, userdata); its type name.
    case opaque(String)

    /// The Lua type name as `type()` would say it (secrets say "secret").
    public var typeName: String {
        switch self {
        case .nil: return "nil"
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .number: return "number"
        case .string, .bytes: return "string"
        case .table: return "table"
        case .secret: return "secret"
        case .function: return "function"
        case .opaque(let name): return name
        }
    }

    public var stringValue: String? {
        switch self {
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        default: return nil
        }
    }

    public var tableValue: LuaTable? { if case .table(let t) = self { return t }; return nil }

    public var isNil: Bool { if case .nil = self { return true }; return false }
}

/// A converted Lua table: the sequence part, string keys (sorted by bytes, so anything
/// derived from a table is deterministic), and keys of other types counted but not kept.
public struct LuaTable: Sendable {
    public var array: [LuaValue]
    public var fields: [(String, LuaValue)]
    /// Integer keys outside 1...array.count, and keys that are neither strings nor integers.
    public var otherKeys: Int

    public init(array: [LuaValue] = [], fields: [(String, LuaValue)] = [], otherKeys: Int = 0) {
        self.array = array
        self.fields = fields
        self.otherKeys = otherKeys
    }

    public subscript(key: String) -> LuaValue {
        fields.first(where: { $0.0 == key })?.1 ?? .nil
    }

    public var isEmpty: Bool { array.isEmpty && fields.isEmpty && otherKeys == 0 }
}

/// A value that must never be shown: opaque to `tostring`, concatenation and JSON in Lua,
/// and to string interpolation in Swift. Only `reveal()` gives the bytes, for the one
/// place that needs them (an Authorization header, a libpq password).
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let bytes: [UInt8]
    public init(_ value: String) { bytes = Array(value.utf8) }
    public init(bytes: [UInt8]) { self.bytes = bytes }
    public func reveal() -> String { String(decoding: bytes, as: UTF8.self) }
    public var revealedBytes: [UInt8] { bytes }
    public var description: String { "<secret>" }
    public var debugDescription: String { "<secret>" }
}
