import LuaRuntime
import UnideskData

/// Conversions between Lua values and the neutral data model (JSON/YAML, reports).
public enum LuaData {
    public struct ConversionError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Lua → data. Empty tables become `[]` when `emptyAsArray`, else `{}`. Secrets are
    /// refused unless `redactSecrets`, which writes "<secret>" instead.
    public static func toData(_ v: LuaValue, redactSecrets: Bool = false, path: String = "value") throws(ConversionError) -> DataValue {
        switch v {
        case .nil, .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .number(let d):
            guard d.isFinite else { throw ConversionError(description: "\(path): cannot represent \(d) (NaN or infinity)") }
            return .double(d)
        case .string(let s): return .string(s)
        case .bytes(let b): return .string(String(decoding: b, as: UTF8.self))
        case .secret:
            if redactSecrets { return .string(Redactor.mask) }
            throw ConversionError(description: "\(path) is a secret: secrets cannot be encoded")
        case .function, .opaque:
            if redactSecrets { return .string("<\(v.typeName)>") }
            throw ConversionError(description: "\(path): cannot encode a \(v.typeName)")
        case .table(let t):
            if t.otherKeys > 0 && !redactSecrets {
                throw ConversionError(description: "\(path): table has keys that are neither strings nor a 1..n sequence")
            }
            if !t.array.isEmpty && !t.fields.isEmpty && !redactSecrets {
                throw ConversionError(description: "\(path): table mixes a sequence and string keys")
            }
            if t.fields.isEmpty && !t.array.isEmpty {
                var out: [DataValue] = []
                out.reserveCapacity(t.array.count)
                for (i, e) in t.array.enumerated() { out.append(try toData(e, redactSecrets: redactSecrets, path: "\(path)[\(i + 1)]")) }
                return .array(out)
            }
            if t.fields.isEmpty { return .object([]) }
            var out: [(String, DataValue)] = []
            out.reserveCapacity(t.fields.count)
            for (k, e) in t.fields { out.append((k, try toData(e, redactSecrets: redactSecrets, path: "\(path).\(k)"))) }
            return .object(out)
        }
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
            let d = (try? toData(a, redactSecrets: true)) ?? .string("<\(a.typeName)>")
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
