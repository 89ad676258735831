/// What every primitive family's error says, in one shape: the kind a recipe branches on
/// (`err.kind`), the message, and the fields that go with them as data (a conflict's
/// causes, a statement's SQLSTATE). Families know nothing of Lua; the binding layer turns
/// any `FamilyError` into the Lua error table in one place (`HostError.family`).
/// (Named `errorKind`/`errorMessage` because the structs' own `kind` is a typed enum.)
public protocol FamilyError: Error {
    var errorKind: String { get }
    var errorMessage: String { get }
    /// Extra fields of the error table, in order; empty by default.
    var errorFields: [(String, DataValue)] { get }
}

extension FamilyError {
    public var errorFields: [(String, DataValue)] { [] }
}
