import CLua
import CLuaShim

/// Converts Lua stack values to `LuaValue` using only calls that cannot raise: type
/// tests, lua_toboolean/tointegerx/tonumberx, lua_tolstring on real strings only (it
/// would allocate on numbers), raw table traversal (no metamethods).
struct ValueReader {
    static let maxDepth = 100

    let L: OpaquePointer

    func read(_ index: Int32) throws(HostError) -> LuaValue {
        try read(lua_absindex(L, index), depth: 0)
    }

    private func read(_ idx: Int32, depth: Int) throws(HostError) -> LuaValue {
        switch lua_type(L, idx) {
        case LUA_TNIL, LUA_TNONE:
            return .nil
        case LUA_TBOOLEAN:
            return .bool(lua_toboolean(L, idx) != 0)
        case LUA_TNUMBER:
            if ud_isinteger(L, idx) != 0 { return .int(Int64(lua_tointegerx(L, idx, nil))) }
            return .number(lua_tonumberx(L, idx, nil))
        case LUA_TSTRING:
            return string(at: idx)
        case LUA_TTABLE:
            guard depth < Self.maxDepth else {
                throw .message("table nested deeper than \(Self.maxDepth) levels (or a cycle)")
            }
            return .table(try table(at: idx, depth: depth))
        case LUA_TUSERDATA:
            var len = 0
            if let p = ud_arg_secret(L, idx, &len) {
                let bytes = UnsafeRawBufferPointer(start: p, count: len)
                return .secret(Secret(bytes: Array(bytes)))
            }
            if ud_is_null(L, idx) != 0 { return .null }
            return .opaque("userdata")
        default:
            return .opaque(String(cString: lua_typename(L, lua_type(L, idx))))
        }
    }

    private func string(at idx: Int32) -> LuaValue {
        var len = 0
        guard let p = ud_arg_string(L, idx, &len) else { return .nil }
        let bytes = UnsafeRawBufferPointer(start: p, count: len)
        if let s = String(validating: bytes, as: UTF8.self) { return .string(s) }
        return .bytes(Array(bytes))
    }

    private func table(at idx: Int32, depth: Int) throws(HostError) -> LuaTable {
        guard lua_checkstack(L, 4) != 0 else { throw .message("Lua stack exhausted while reading a table") }
        var strings: [(String, LuaValue)] = []
        // lua_next gives a sequence's keys 1, 2, 3… in order (its array part): those go
        // straight to the array; only keys met out of order wait in a dictionary (hashing
        // every element was most of reading a parameter list, pg's per-statement cost).
        var array: [LuaValue] = []
        var integers: [Int64: LuaValue] = [:]
        var other = 0
        lua_pushnil(L)
        while ud_table_next(L, idx) != 0 {
            defer { ud_pop(L, 1) }
            switch lua_type(L, -2) {
            case LUA_TSTRING:
                guard case .string(let key) = string(at: -2) else { other += 1; continue }
                strings.append((key, try read(lua_absindex(L, -1), depth: depth + 1)))
            case LUA_TNUMBER where ud_isinteger(L, -2) != 0:
                let key = Int64(lua_tointegerx(L, -2, nil))
                let value = try read(lua_absindex(L, -1), depth: depth + 1)
                if key == Int64(array.count) + 1 { array.append(value) } else { integers[key] = value }
            default:
                other += 1
            }
        }
        var n = Int64(array.count) + 1
        while let v = integers.removeValue(forKey: n) { array.append(v); n += 1 }
        other += integers.count   // integer keys past a hole, zero or negative
        strings.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        return LuaTable(array: array, fields: strings, otherKeys: other)
    }
}
