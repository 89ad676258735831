import LuaRuntime

/// An argument that does not have the type its spec promised the binding: a bug in the
/// spec or the binding, not the script's misuse (the spec check already reported that).
/// Raised as "<primitive>: internal error: unidesk bug: …" rather than crashing.
struct SpecBug: Error, CustomStringConvertible {
    let argument: Int
    let expected: String
    let got: String
    var description: String {
        "unidesk bug: argument #\(argument) should be a \(expected) by the primitive's spec, got \(got) (please report it)"
    }
}

// Accessors for arguments already checked against their spec. A mismatch here is a bug in
// the spec; they throw `SpecBug` instead of returning "" or crashing on a force unwrap.
extension Array where Element == LuaValue {
    /// A required string argument (index from 0).
    func string(_ i: Int) throws(SpecBug) -> String {
        guard let s = value(i).stringValue else { throw SpecBug(argument: i + 1, expected: "string", got: value(i).typeName) }
        return s
    }
    /// An optional string argument: nil when absent.
    func optionalString(_ i: Int) throws(SpecBug) -> String? {
        value(i).isNil ? nil : try string(i)
    }
    /// A required table argument.
    func table(_ i: Int) throws(SpecBug) -> LuaTable {
        guard let t = value(i).tableValue else { throw SpecBug(argument: i + 1, expected: "table", got: value(i).typeName) }
        return t
    }
    /// An optional table argument: nil when absent.
    func optionalTable(_ i: Int) throws(SpecBug) -> LuaTable? {
        value(i).isNil ? nil : try table(i)
    }
    func value(_ i: Int) -> LuaValue { i < count ? self[i] : .nil }
}

extension LuaTable {
    func bool(_ key: String, default d: Bool) -> Bool {
        if case .bool(let b) = self[key] { return b }
        return d
    }
    func number(_ key: String) -> Double? {
        switch self[key] {
        case .int(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }
}
