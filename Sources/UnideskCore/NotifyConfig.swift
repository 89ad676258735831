import Foundation
import UnideskData

/// Where `alert.raise` delivers (the policy file's `alerts.sinks`, `--alert-sink`). The
/// operator's, not the recipe's: a recipe cannot add or change a sink. Configuring a sink
/// grants the POST to its URL (`http.post:<host>/<path>`); a denial still wins.
public struct AlertSinkConfig: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Alertmanager's API v2 (`POST <url>/api/v2/alerts`).
        case alertmanager
        /// A generic JSON body (documented in docs/guide.md, "Alerts and metrics").
        case webhook
        /// A Slack-compatible incoming webhook (`{"text": …}`).
        case slack
    }
    public var kind: Kind
    /// Names the sink in the report, the log and an undelivered alert's record; stable
    /// across runs (an alert undelivered to "alertmanager" is retried there).
    public var name: String
    /// The base URL (Alertmanager) or the URL posted to (webhook, slack).
    public var url: String
    /// The URL came from an environment variable (`url_env`): masked wherever it is shown.
    public var urlIsSecret = false
    /// Extra request headers; `secret` ones came from the environment (`header_env`).
    public var headers: [Header] = []
    /// Labels added to every alert (Alertmanager), fields of the body's `labels` (webhook).
    public var labels: [(String, String)] = []
    /// Alertmanager's `endsAt`: this many seconds after the alert was raised (nil: none
    /// sent, so Alertmanager's resolve_timeout applies).
    public var endsAfter: Double? = 86400
    /// Seconds per attempt.
    public var timeout: Double = 10

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
        public var secret: Bool
    }

    public init(kind: Kind, name: String, url: String) {
        self.kind = kind
        self.name = name
        self.url = url
    }

    /// Where the POST goes.
    public var postURL: String {
        guard kind == .alertmanager else { return url }
        return (url.hasSuffix("/") ? String(url.dropLast()) : url) + "/api/v2/alerts"
    }

    /// The capability its delivery needs, `http.post:<host[:port]>/<path>`, granted by
    /// configuring the sink.
    public var capability: Capability? {
        guard let u = URLComponents(string: postURL) else { return nil }
        return Capability.httpWriteScope(u).map { Capability("http.post", scope: $0) }
    }

    /// Values to mask in every output.
    public var secrets: [String] {
        (urlIsSecret ? [url] : []) + headers.filter(\.secret).map(\.value)
    }

    public static func == (a: AlertSinkConfig, b: AlertSinkConfig) -> Bool {
        a.kind == b.kind && a.name == b.name && a.url == b.url && a.urlIsSecret == b.urlIsSecret && a.headers == b.headers
            && a.labels.map { [$0.0, $0.1] } == b.labels.map { [$0.0, $0.1] } && a.endsAfter == b.endsAfter && a.timeout == b.timeout
    }

    static let keys = ["type", "name", "url", "url_env", "headers", "header_env", "labels", "ends_after", "timeout"]

    /// One entry of `alerts.sinks`. `where` names it in errors ("policy file 'p.yaml': alerts.sinks[2]").
    static func parse(_ v: DataValue, where w: String, environment: [String: String]) throws(ConfigError) -> AlertSinkConfig {
        guard case .object(let f) = v else { throw ConfigError("\(w): a mapping expected (type, url, …)") }
        func field(_ k: String) -> DataValue? { f.first { $0.0 == k }?.1 }
        func string(_ k: String) throws(ConfigError) -> String? {
            guard let v = field(k) else { return nil }
            guard case .string(let s) = v, !s.isEmpty else { throw ConfigError("\(w): '\(k)' must be a non-empty string") }
            return s
        }
        func number(_ k: String) throws(ConfigError) -> Double? {
            switch field(k) {
            case nil: return nil
            case .int(let i)?: return Double(i)
            case .double(let d)?: return d
            default: throw ConfigError("\(w): '\(k)' must be a number of seconds")
            }
        }
        func map(_ k: String) throws(ConfigError) -> [(String, String)] {
            guard let v = field(k) else { return [] }
            guard case .object(let m) = v else { throw ConfigError("\(w): '\(k)' must be a mapping of names to strings") }
            var out: [(String, String)] = []
            for (name, value) in m {
                switch value {
                case .string(let s): out.append((name, s))
                case .int(let i): out.append((name, String(i)))
                case .bool(let b): out.append((name, String(b)))
                default: throw ConfigError("\(w): '\(k).\(name)' must be a string")
                }
            }
            return out
        }
        if let unknown = f.first(where: { !keys.contains($0.0) }) {
            throw ConfigError("\(w): unknown key '\(unknown.0)' (known: \(keys.joined(separator: ", ")))")
        }
        guard let typeName = try string("type") else {
            throw ConfigError("\(w): 'type' is missing (\(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let kind = Kind(rawValue: typeName) else {
            throw ConfigError("\(w): unknown type '\(typeName)' (known: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let url: String, secretURL: Bool
        switch (try string("url"), try string("url_env")) {
        case (let u?, nil): url = u; secretURL = false
        case (nil, let name?):
            guard let u = environment[name], !u.isEmpty else {
                throw ConfigError("\(w): url_env names '\(name)', which is not set in the environment")
            }
            url = u; secretURL = true
        case (_?, _?): throw ConfigError("\(w): give 'url' or 'url_env', not both")
        case (nil, nil): throw ConfigError("\(w): 'url' (or 'url_env', the name of an environment variable holding it) is missing")
        }
        try checkURL(url, shown: secretURL ? "the URL in $\(try string("url_env") ?? "")" : "'\(url)'", where: w)
        var sink = AlertSinkConfig(kind: kind, name: try string("name") ?? kind.rawValue, url: url)
        sink.urlIsSecret = secretURL
        sink.headers = try map("headers").map { Header(name: $0.0, value: $0.1, secret: false) }
        for (header, variable) in try map("header_env") {
            guard let value = environment[variable], !value.isEmpty else {
                throw ConfigError("\(w): header_env.\(header) names '\(variable)', which is not set in the environment")
            }
            sink.headers.append(Header(name: header, value: value, secret: true))
        }
        sink.labels = try map("labels")
        if let e = try number("ends_after") {
            guard e >= 0, e.isFinite else { throw ConfigError("\(w): 'ends_after' must be 0 (no endsAt) or a positive number of seconds") }
            sink.endsAfter = e == 0 ? nil : e
        }
        if let t = try number("timeout") {
            guard t > 0, t.isFinite else { throw ConfigError("\(w): 'timeout' must be a positive number of seconds") }
            sink.timeout = t
        }
        if kind != .alertmanager, field("ends_after") != nil {
            throw ConfigError("\(w): 'ends_after' is for type alertmanager only")
        }
        return sink
    }

    static func checkURL(_ url: String, shown: String, where w: String) throws(ConfigError) {
        guard let u = URLComponents(string: url), let s = u.scheme, s == "http" || s == "https", let h = u.host, !h.isEmpty else {
            throw ConfigError("\(w): \(shown) is not an http:// or https:// URL")
        }
    }

    /// `--alert-sink TYPE=URL`.
    public static func parse(flag: String, index: Int) throws(ConfigError) -> AlertSinkConfig {
        guard let eq = flag.firstIndex(of: "="), let kind = Kind(rawValue: String(flag[..<eq])) else {
            throw ConfigError("--alert-sink expects TYPE=URL with TYPE one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")), e.g. --alert-sink alertmanager=http://127.0.0.1:9093; got '\(flag)'")
        }
        let url = String(flag[flag.index(after: eq)...])
        try checkURL(url, shown: "'\(url)'", where: "--alert-sink")
        return AlertSinkConfig(kind: kind, name: kind.rawValue, url: url)
    }
}

/// Run metrics pushed to a Prometheus Pushgateway at the end of a run (the policy file's
/// `metrics`, `--metrics-push`).
public struct MetricsConfig: Sendable, Equatable {
    /// The Pushgateway's base URL.
    public var push: String
    /// The `job` of the grouping key.
    public var job: String = "unidesk"
    /// Extra grouping labels (recipe and app are added by the run).
    public var labels: [(String, String)] = []
    /// Whether a plan pushes too (grouped with mode="plan"); off unless asked.
    public var inPlan = false
    public var timeout: Double = 10

    public init(push: String) { self.push = push }

    public static func == (a: MetricsConfig, b: MetricsConfig) -> Bool {
        a.push == b.push && a.job == b.job && a.labels.map { [$0.0, $0.1] } == b.labels.map { [$0.0, $0.1] } && a.inPlan == b.inPlan && a.timeout == b.timeout
    }

    static let keys = ["push", "job", "labels", "plan", "timeout"]

    /// `--metrics-push URL`.
    public static func check(url: String) throws(ConfigError) {
        try AlertSinkConfig.checkURL(url, shown: "'\(url)'", where: "--metrics-push")
    }

    static func parse(_ v: DataValue, where w: String) throws(ConfigError) -> MetricsConfig {
        guard case .object(let f) = v else { throw ConfigError("\(w): a mapping expected (push, job, labels, plan)") }
        if let unknown = f.first(where: { !keys.contains($0.0) }) {
            throw ConfigError("\(w): unknown key '\(unknown.0)' (known: \(keys.joined(separator: ", ")))")
        }
        guard case .string(let push)? = f.first(where: { $0.0 == "push" })?.1, !push.isEmpty else {
            throw ConfigError("\(w): 'push' (the Pushgateway's URL, e.g. http://pushgateway:9091) is missing")
        }
        try AlertSinkConfig.checkURL(push, shown: "push '\(push)'", where: w)
        var m = MetricsConfig(push: push)
        for (k, v) in f {
            switch (k, v) {
            case ("push", _): break
            case ("job", .string(let s)) where MetricName.isLabelValueSafe(s): m.job = s
            case ("job", _): throw ConfigError("\(w): 'job' must be a non-empty string")
            case ("plan", .bool(let b)): m.inPlan = b
            case ("plan", _): throw ConfigError("\(w): 'plan' must be true or false")
            case ("timeout", .int(let i)) where i > 0: m.timeout = Double(i)
            case ("timeout", .double(let d)) where d > 0 && d.isFinite: m.timeout = d
            case ("timeout", _): throw ConfigError("\(w): 'timeout' must be a positive number of seconds")
            case ("labels", .object(let ls)):
                for (name, value) in ls {
                    guard MetricName.isLabelName(name) else { throw ConfigError("\(w): label name '\(name)' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)") }
                    guard case .string(let s) = value, MetricName.isLabelValueSafe(s) else { throw ConfigError("\(w): label '\(name)' must be a non-empty string") }
                    m.labels.append((name, s))
                }
            case ("labels", _): throw ConfigError("\(w): 'labels' must be a mapping of label names to strings")
            default: break
            }
        }
        return m
    }
}

/// Prometheus' naming rules.
public enum MetricName {
    public static func isMetricName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.isASCIILetter || first == "_" || first == ":" else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == ":" }
    }
    public static func isLabelName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return !s.hasPrefix("__") && s.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }
    /// A grouping label's value: non-empty (the Pushgateway's URL path cannot carry an empty one).
    public static func isLabelValueSafe(_ s: String) -> Bool { !s.isEmpty }
}

private extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
