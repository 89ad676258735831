/// An alert as unidesk delivers it: what a recipe raised (alert.raise), firing until
/// alert.resolve ends it.
public struct Alert: Sendable, Equatable {
    /// Stable for the alert's life (the state key's stamp): the idempotency key of every
    /// delivery, and what a receiver deduplicates on.
    public var id: String
    public var app: String
    public var kind: String
    public var severity: String
    public var attempted: String?
    public var lastGood: String?
    public var recovered: Bool?
    public var notes: String?
    /// RFC 3339, UTC, when it was raised.
    public var raisedAt: String
    /// RFC 3339, UTC, when alert.resolve ended it; nil while it fires.
    public var resolvedAt: String?

    public init(id: String, app: String, kind: String, severity: String, raisedAt: String) {
        self.id = id
        self.app = app
        self.kind = kind
        self.severity = severity
        self.raisedAt = raisedAt
    }

    public var status: String { resolvedAt == nil ? "firing" : "resolved" }

    /// One line for people: "shop: rolled_back (attempted 2.0.0, last good 1.4.2, recovered): notes".
    public var summary: String {
        var parts: [String] = []
        if let attempted { parts.append("attempted \(attempted)") }
        if let lastGood { parts.append("last good \(lastGood)") }
        if let recovered { parts.append(recovered ? "recovered" : "NOT recovered") }
        return "\(app): \(kind)" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))") + (notes.map { ": \($0)" } ?? "")
    }
}
