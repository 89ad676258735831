import UnideskData

extension StateError: FamilyError {
    public var errorKind: String { kind.rawValue }
    public var errorMessage: String { message }
    /// busy: who holds the lock; sql: the SQLSTATE the database refused with.
    public var errorFields: [(String, DataValue)] {
        var f: [(String, DataValue)] = []
        if let holder { f.append(("holder", .string(holder))) }
        if let sqlstate { f.append(("sqlstate", .string(sqlstate))) }
        return f
    }
}
