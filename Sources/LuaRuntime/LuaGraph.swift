/// Lua values read for showing them: like `LuaValue`, but a table reached twice is one table
/// (an index into `tables`), so a cycle or a shared table can be shown as what it is. A
/// snapshot: nothing in it refers back into the Lua state.
public struct LuaGraph: Sendable {
    public enum Value: Sendable {
        /// Anything but a table (never `.table`).
        case scalar(LuaValue)
        /// An index into `tables`.
        case table(Int)
    }

    public struct Table: Sendable {
        public var array: [Value]
        /// String keys, sorted by bytes (as `LuaTable.fields`).
        public var fields: [(String, Value)]
        /// Keys that are neither strings nor in the sequence part, counted (as `LuaTable.otherKeys`).
        public var otherKeys: Int
        /// False for a table the reader reached but did not read (past its depth or size bound).
        public var isRead: Bool

        public init(array: [Value] = [], fields: [(String, Value)] = [], otherKeys: Int = 0, isRead: Bool = true) {
            self.array = array
            self.fields = fields
            self.otherKeys = otherKeys
            self.isRead = isRead
        }

        public var isEmpty: Bool { isRead && array.isEmpty && fields.isEmpty && otherKeys == 0 }
    }

    public var tables: [Table]
    /// The values themselves (the results of one input).
    public var roots: [Value]

    public init(tables: [Table] = [], roots: [Value] = []) {
        self.tables = tables
        self.roots = roots
    }

    /// Converted values as a graph: every table is its own (they came as trees).
    public init(values: [LuaValue]) {
        tables = []
        roots = []
        roots = values.map { add($0) }
    }

    private mutating func add(_ value: LuaValue) -> Value {
        guard case .table(let t) = value else { return .scalar(value) }
        let id = tables.count
        tables.append(Table())
        let array = t.array.map { add($0) }
        let fields = t.fields.map { ($0.0, add($0.1)) }
        tables[id] = Table(array: array, fields: fields, otherKeys: t.otherKeys)
        return .table(id)
    }
}
