import Foundation
import UnideskData

/// Where an alert goes, and the body each kind of receiver expects.
public struct AlertSink: Sendable {
    public enum Kind: String, Sendable {
        case alertmanager, webhook, slack
    }
    public var kind: Kind
    public var name: String
    /// The URL posted to (for Alertmanager: `<base>/api/v2/alerts`).
    public var postURL: String
    public var headers: [(String, String)]
    public var labels: [(String, String)]
    /// Seconds after the raise that Alertmanager's `endsAt` is set to (nil: not sent).
    public var endsAfter: Double?

    public init(kind: Kind, name: String, postURL: String, headers: [(String, String)] = [], labels: [(String, String)] = [],
                endsAfter: Double? = nil) {
        self.kind = kind
        self.name = name
        self.postURL = postURL
        self.headers = headers
        self.labels = labels
        self.endsAfter = endsAfter
    }

    /// The JSON document posted for `alert`.
    public func body(_ alert: Alert) -> DataValue {
        switch kind {
        case .alertmanager: return alertmanagerBody(alert)
        case .webhook: return webhookBody(alert)
        case .slack: return slackBody(alert)
        }
    }

    /// The request's bytes (compact JSON, keys in the order above).
    public func payload(_ alert: Alert) -> [UInt8] {
        Array(((try? JSON.encode(body(alert), options: .init(pretty: false, sortKeys: false))) ?? "{}").utf8)
    }

    /// Alertmanager's labels: the identity of the alert (a resolve must send the same set).
    public func alertmanagerLabels(_ a: Alert) -> [(String, String)] {
        var ls: [(String, String)] = [("alertname", "unidesk_" + a.kind), ("app", a.app), ("kind", a.kind), ("severity", a.severity), ("source", "unidesk")]
        for (k, v) in labels where !ls.contains(where: { $0.0 == k }) { ls.append((k, v)) }
        return ls
    }

    /// `POST /api/v2/alerts`: a list of one postableAlert. Firing: endsAt = raised + endsAfter
    /// (when set); resolved: endsAt = the resolve time, which ends it.
    func alertmanagerBody(_ a: Alert) -> DataValue {
        var annotations: [(String, DataValue)] = [("summary", .string(a.summary))]
        if let v = a.attempted { annotations.append(("attempted", .string(v))) }
        if let v = a.lastGood { annotations.append(("last_good", .string(v))) }
        if let v = a.recovered { annotations.append(("recovered", .string(v ? "true" : "false"))) }
        if let v = a.notes { annotations.append(("notes", .string(v))) }
        annotations.append(("unidesk_id", .string(a.id)))
        var f: [(String, DataValue)] = [
            ("labels", .object(alertmanagerLabels(a).map { ($0.0, .string($0.1)) })),
            ("annotations", .object(annotations)),
            ("startsAt", .string(a.raisedAt)),
        ]
        if let resolved = a.resolvedAt {
            f.append(("endsAt", .string(resolved)))
        } else if let after = endsAfter, let raised = RFC3339.parse(a.raisedAt) {
            f.append(("endsAt", .string(RFC3339.format(raised.addingTimeInterval(after)))))
        }
        return .array([.object(f)])
    }

    /// The generic webhook's document (docs/guide.md, "Alerts and metrics"; version 1).
    func webhookBody(_ a: Alert) -> DataValue {
        var alert: [(String, DataValue)] = [("id", .string(a.id)), ("app", .string(a.app)), ("kind", .string(a.kind)), ("severity", .string(a.severity))]
        if let v = a.attempted { alert.append(("attempted", .string(v))) }
        if let v = a.lastGood { alert.append(("last_good", .string(v))) }
        if let v = a.recovered { alert.append(("recovered", .bool(v))) }
        if let v = a.notes { alert.append(("notes", .string(v))) }
        alert.append(("raised_at", .string(a.raisedAt)))
        if let v = a.resolvedAt { alert.append(("resolved_at", .string(v))) }
        return .object([
            ("version", .string("1")), ("source", .string("unidesk")), ("status", .string(a.status)),
            ("summary", .string(a.summary)), ("alert", .object(alert)),
            ("labels", .object(labels.map { ($0.0, .string($0.1)) })),
        ])
    }

    /// A Slack-compatible incoming webhook (also Mattermost, Rocket.Chat): `text` only.
    func slackBody(_ a: Alert) -> DataValue {
        let mark = a.resolvedAt == nil ? (a.severity == "critical" ? ":rotating_light:" : ":warning:") : ":white_check_mark:"
        let state = a.resolvedAt == nil ? a.severity.uppercased() : "RESOLVED"
        let extra = labels.isEmpty ? "" : " [" + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + "]"
        return .object([("text", .string("\(mark) unidesk \(state) \(a.summary)\(extra)"))])
    }
}

/// RFC 3339 times as Alertmanager takes them (UTC, seconds).
enum RFC3339 {
    static func parse(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s)
    }
    static func format(_ d: Date) -> String { ISO8601DateFormatter().string(from: d) }
}
