import UnideskData

extension SnapshotError: FamilyError {
    public var errorKind: String { kind.rawValue }
    public var errorMessage: String { message }
}
