import UnideskData

extension RegistryError: FamilyError {
    public var errorKind: String { kind.rawValue }
    public var errorMessage: String { message }
    /// The HTTP status, and a 429's rate-limit headers as sent.
    public var errorFields: [(String, DataValue)] {
        var f: [(String, DataValue)] = []
        if let status { f.append(("status", .int(Int64(status)))) }
        if !rateLimit.isEmpty { f.append(("rate_limit", .object(rateLimit.map { ($0.0, .string($0.1)) }))) }
        return f
    }
}
