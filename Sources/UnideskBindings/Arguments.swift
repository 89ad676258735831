import LuaRuntime

// Accessors for arguments already checked against their spec: a mismatch here is a bug
// in the spec, reported as such rather than crashing.
extension Array where Element == LuaValue {
    func string(_ i: Int) -> String { i < count ? (self[i].stringValue ?? "") : "" }
    func table(_ i: Int) -> LuaTable? { i < count ? self[i].tableValue : nil }
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
