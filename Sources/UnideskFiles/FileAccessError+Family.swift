import UnideskData

extension FileAccessError: FamilyError {
    public var errorKind: String { kind.rawValue }
    public var errorMessage: String { message }
    public var errorFields: [(String, DataValue)] { [("path", .string(path))] }
}
