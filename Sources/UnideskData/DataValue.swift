/// A JSON/YAML-shaped value, neutral between the scripting layer and the wire formats.
///
/// `int` and `double` stay distinct so that `replicas: 3` survives a round trip as an integer,
/// and objects are ordered pair lists so that output follows the order a human wrote.
public enum DataValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([DataValue])
    /// Ordered key/value pairs; keys are unique.
    case object([(String, DataValue)])
}

extension DataValue: Equatable {
    /// Structural equality; objects compare as ordered lists, and doubles with IEEE `==` (so NaN ≠ NaN).
    public static func == (lhs: DataValue, rhs: DataValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null):
            return true
        case let (.bool(a), .bool(b)):
            return a == b
        case let (.int(a), .int(b)):
            return a == b
        case let (.double(a), .double(b)):
            return a == b
        case let (.string(a), .string(b)):
            return a == b
        case let (.array(a), .array(b)):
            return a == b
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            for (left, right) in zip(a, b) where left.0 != right.0 || left.1 != right.1 {
                return false
            }
            return true
        default:
            return false
        }
    }
}
