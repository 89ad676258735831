import UnideskData

extension HTTPError: FamilyError {
    public var errorKind: String { kind.rawValue }
    public var errorMessage: String { message }
}
