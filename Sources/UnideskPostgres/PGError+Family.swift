import UnideskData

extension PGError: FamilyError {
    public var errorKind: String { kind.rawValue }
    /// A connection failure carries libpq's hint in its message ("is the server running
    /// on that host?"); a refused statement keeps it in the `hint` field only.
    public var errorMessage: String {
        if kind != .sql && kind != .invalid, let hint { return "\(message) (\(hint))" }
        return message
    }
    /// What the server said about a refused statement, each field only when it said it.
    public var errorFields: [(String, DataValue)] {
        var f: [(String, DataValue)] = []
        func add(_ k: String, _ v: String?) { if let v { f.append((k, .string(v))) } }
        func add(_ k: String, _ v: Int?) { if let v { f.append((k, .int(Int64(v)))) } }
        add("sqlstate", sqlstate); add("detail", detail); add("hint", hint); add("position", position)
        add("context", context); add("table", table); add("column", column); add("constraint", constraint)
        add("file", file); add("statement", statement); add("statement_index", statementIndex); add("line", line)
        add("row", row)
        return f
    }
}
