import CLua
import CLuaShim

/// Reads Lua stack values into a `LuaGraph`, keeping tables' identity (by address), for the
/// REPL's display. The same non-raising calls as `ValueReader` (raw traversal, no
/// metamethods); everything but a table is read by `ValueReader` itself. Unlike it, a cycle
/// or a deep table is not an error: a table reached past `maxDepth`, or once `maxEntries`
/// entries were read, is kept unread.
struct GraphReader {
    /// Nesting read (also bounds this reader's recursion).
    static let maxDepth = 64
    /// Entries read over all tables before the rest are left unread.
    static let maxEntries = 1_000_000

    let L: OpaquePointer
    private var ids: [UnsafeRawPointer: Int] = [:]
    private var tables: [LuaGraph.Table] = []
    private var entries = 0

    init(L: OpaquePointer) { self.L = L }

    /// The values at stack indices `from...to` as one graph.
    mutating func read(from: Int32, to: Int32) -> LuaGraph {
        var roots: [LuaGraph.Value] = []
        if to >= from {
            for i in from...to { roots.append(value(at: lua_absindex(L, i), depth: 0)) }
        }
        return LuaGraph(tables: tables, roots: roots)
    }

    private mutating func value(at idx: Int32, depth: Int) -> LuaGraph.Value {
        guard lua_type(L, idx) == LUA_TTABLE, let address = lua_topointer(L, idx) else {
            return .scalar((try? ValueReader(L: L).read(idx)) ?? .opaque(String(cString: lua_typename(L, lua_type(L, idx)))))
        }
        let id: Int
        if let known = ids[address] {
            // Read, being read (a cycle), or seen before only where it was too deep.
            if tables[known].isRead || depth >= Self.maxDepth { return .table(known) }
            id = known
        } else {
            id = tables.count
            ids[address] = id
            tables.append(LuaGraph.Table(isRead: false))
            if depth >= Self.maxDepth { return .table(id) }
        }
        guard entries < Self.maxEntries, lua_checkstack(L, 4) != 0 else { return .table(id) }
        tables[id].isRead = true   // a cycle back to it now stops here
        let read = table(at: idx, depth: depth)
        tables[id] = read
        return .table(id)
    }

    /// Same order as `ValueReader`: the sequence, then string keys sorted by bytes.
    private mutating func table(at idx: Int32, depth: Int) -> LuaGraph.Table {
        var strings: [(String, LuaGraph.Value)] = []
        var array: [LuaGraph.Value] = []
        var integers: [Int64: LuaGraph.Value] = [:]
        var other = 0
        lua_pushnil(L)
        while ud_table_next(L, idx) != 0 {
            defer { ud_pop(L, 1) }
            entries += 1
            switch lua_type(L, -2) {
            case LUA_TSTRING:
                guard case .string(let key) = (try? ValueReader(L: L).read(-2)) ?? .nil else { other += 1; continue }
                strings.append((key, value(at: lua_absindex(L, -1), depth: depth + 1)))
            case LUA_TNUMBER where ud_isinteger(L, -2) != 0:
                let key = Int64(lua_tointegerx(L, -2, nil))
                let v = value(at: lua_absindex(L, -1), depth: depth + 1)
                if key == Int64(array.count) + 1 { array.append(v) } else { integers[key] = v }
            default:
                other += 1
            }
        }
        var n = Int64(array.count) + 1
        while let v = integers.removeValue(forKey: n) { array.append(v); n += 1 }
        other += integers.count
        strings.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        return LuaGraph.Table(array: array, fields: strings, otherKeys: other)
    }
}

extension LuaState {
    /// Runs a chunk as `run(_:chunkName:)` does, and reads its results as a `LuaGraph`
    /// (cycles and shared tables kept) to show them.
    public func runForDisplay(_ code: String, chunkName: String) throws(LuaError) -> LuaGraph {
        try runForDisplay(bytes: Array(code.utf8), chunkName: chunkName)
    }

    /// The same for a chunk given as bytes (a recipe file, byte for byte).
    public func runForDisplay(bytes code: [UInt8], chunkName: String) throws(LuaError) -> LuaGraph {
        try code.withUnsafeBufferPointer { b throws(LuaError) in try runForDisplay(b, chunkName: chunkName) }
    }

    private func runForDisplay(_ chunk: UnsafeBufferPointer<UInt8>, chunkName: String) throws(LuaError) -> LuaGraph {
        let top = lua_gettop(L)
        let rc = chunk.withMemoryRebound(to: CChar.self) {
            ud_load_and_call(L, $0.baseAddress, $0.count, chunkName, 0, 0, LUA_MULTRET)
        }
        if rc != LUA_OK { throw popError(rc, restoring: top) }
        var reader = GraphReader(L: L)
        let graph = reader.read(from: top + 1, to: lua_gettop(L))
        lua_settop(L, top)
        return graph
    }
}
