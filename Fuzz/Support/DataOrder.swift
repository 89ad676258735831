import UnideskData

/// `value` with every object's keys in UTF-8 byte order, the order a Lua table is read in
/// (LuaTable.fields): lets a value that went through Lua be compared with one that did not.
public func keysInByteOrder(_ value: DataValue) -> DataValue {
    switch value {
    case .array(let items): return .array(items.map(keysInByteOrder))
    case .object(let pairs):
        return .object(pairs.map { ($0.0, keysInByteOrder($0.1)) }.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) })
    default: return value
    }
}

/// How deep arrays and objects nest in `value` (a scalar is 0).
public func nesting(_ value: DataValue) -> Int {
    switch value {
    case .array(let items): return 1 + (items.map(nesting).max() ?? 0)
    case .object(let pairs): return 1 + (pairs.map { nesting($0.1) }.max() ?? 0)
    default: return 0
    }
}

/// Equality of data that also counts NaN as equal to NaN (YAML's `.nan` decodes to one, and
/// DataValue's == follows IEEE, where NaN ≠ NaN).
public func sameData(_ a: DataValue, _ b: DataValue) -> Bool {
    switch (a, b) {
    case let (.double(x), .double(y)): return x == y || (x.isNaN && y.isNaN)
    case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy(sameData)
    case let (.object(x), .object(y)):
        return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && sameData($0.1, $1.1) }
    default: return a == b
    }
}
