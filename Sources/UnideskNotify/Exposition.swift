import Foundation

/// Prometheus' text exposition format (version 0.0.4), as a Pushgateway takes it.
public struct MetricFamily: Sendable, Equatable {
    public enum Kind: String, Sendable { case gauge, counter }
    public var name: String
    public var help: String
    public var kind: Kind
    public var samples: [Sample]

    public struct Sample: Sendable, Equatable {
        public var labels: [Label]
        public var value: Double
        public init(labels: [Label] = [], value: Double) {
            self.labels = labels
            self.value = value
        }
    }

    public struct Label: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(name: String, help: String, kind: Kind, samples: [Sample]) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }
}

public enum Exposition {
    /// The families as text: HELP, TYPE, then one line per sample; ends with a newline (a
    /// Pushgateway refuses a body without one).
    public static func text(_ families: [MetricFamily]) -> String {
        var out = ""
        for f in families {
            out += "# HELP \(f.name) \(escapeHelp(f.help))\n# TYPE \(f.name) \(f.kind.rawValue)\n"
            for s in f.samples {
                let labels = s.labels.isEmpty ? "" : "{" + s.labels.map { "\($0.name)=\"\(escapeValue($0.value))\"" }.joined(separator: ",") + "}"
                out += "\(f.name)\(labels) \(number(s.value))\n"
            }
        }
        return out
    }

    static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeValue(_ s: String) -> String {
        escapeHelp(s).replacingOccurrences(of: "\"", with: "\\\"")
    }

    static func number(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "+Inf" : "-Inf" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    /// `<base>/metrics/job/<job>/<label>/<value>…`: a value that is empty or holds a `/` is
    /// sent base64url-encoded (`<label>@base64/<encoded>`), as the Pushgateway documents.
    public static func groupURL(base: String, job: String, labels: [MetricFamily.Label]) -> String {
        func segment(_ name: String, _ value: String) -> String {
            if value.isEmpty || value.contains("/") {
                let b64 = Data(value.utf8).base64EncodedString()
                    .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                return "\(name)@base64/\(b64.isEmpty ? "=" : b64)"
            }
            return "\(name)/\(value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? value)"
        }
        let root = base.hasSuffix("/") ? String(base.dropLast()) : base
        return root + "/metrics/" + ([segment("job", job)] + labels.map { segment($0.name, $0.value) }).joined(separator: "/")
    }
}
