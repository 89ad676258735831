import UnideskData

extension KubeError: FamilyError {
    public var errorKind: String { kind.rawValue }
    public var errorMessage: String { message }
    /// The HTTP status, each cause the API named ({field, message, reason, manager?}), a
    /// timed-out wait's last status and a failed rollout's object.
    public var errorFields: [(String, DataValue)] {
        var f: [(String, DataValue)] = []
        if let status { f.append(("status", .int(Int64(status)))) }
        if !causes.isEmpty {
            f.append(("causes", .array(causes.map { c in
                var cf: [(String, DataValue)] = [("field", .string(c.field)), ("message", .string(c.message)), ("reason", .string(c.reason))]
                if let m = c.manager { cf.append(("manager", .string(m))) }
                return .object(cf)
            })))
        }
        // A wait's timeout says what it saw last; a failed rollout gives the object.
        if let last { f.append(("last", .string(last))) }
        if let object { f.append(("object", object)) }
        return f
    }
}
