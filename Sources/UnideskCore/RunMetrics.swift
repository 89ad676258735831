import Foundation
import UnideskData

/// A gauge or counter a recipe set through `unidesk.metrics`, pushed with the run's own.
public struct RecipeMetric: Sendable, Equatable {
    public enum Kind: String, Sendable { case gauge, counter }
    public var name: String
    public var kind: Kind
    public var help: String
    public var labels: [Label]
    public var value: Double

    public struct Label: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(name: String, kind: Kind, help: String, labels: [Label], value: Double) {
        self.name = name
        self.kind = kind
        self.help = help
        self.labels = labels
        self.value = value
    }

    var json: DataValue {
        .object([("name", .string(name)), ("type", .string(kind.rawValue)),
                 ("labels", .object(labels.map { ($0.name, .string($0.value)) })), ("value", .double(value))])
    }
}

/// What a run's metrics push did (the report's `metrics.push`).
public struct MetricsPushOutcome: Sendable {
    /// The group's URL, credentials masked.
    public var url: String
    public var error: String?
    public init(url: String, error: String?) {
        self.url = url
        self.error = error
    }
    public var pushed: Bool { error == nil }

    var json: DataValue {
        var f: [(String, DataValue)] = [("url", .string(url)), ("pushed", .bool(pushed))]
        if let error { f.append(("error", .string(error))) }
        return .object(f)
    }
}

/// Pushes a finished run's metrics (set by the CLI; UnideskBindings' MetricsPush).
public typealias MetricsPusher = @Sendable (RunReport, MetricsConfig) -> MetricsPushOutcome

/// The recipe's metrics of one run, and the grouping labels it asked for.
public final class RecipeMetrics {
    public private(set) var metrics: [RecipeMetric] = []
    public private(set) var group: [RecipeMetric.Label] = []
    /// Series a run may set: a Pushgateway keeps every one of them until the next push.
    public static let maxSeries = 1000

    public init() {}

    public enum Failure: Error, Equatable {
        case otherKind(String, RecipeMetric.Kind)
        case tooMany
    }

    /// A gauge replaces the series' value; a counter adds to it.
    public func record(_ m: RecipeMetric) throws(Failure) {
        if let other = metrics.first(where: { $0.name == m.name && $0.kind != m.kind }) {
            throw .otherKind(m.name, other.kind)
        }
        if let i = metrics.firstIndex(where: { $0.name == m.name && $0.labels == m.labels }) {
            metrics[i].value = m.kind == .counter ? metrics[i].value + m.value : m.value
            if !m.help.isEmpty { metrics[i].help = m.help }
            return
        }
        guard metrics.count < Self.maxSeries else { throw .tooMany }
        metrics.append(m)
    }

    public func setGroup(_ labels: [RecipeMetric.Label]) {
        for l in labels {
            if let i = group.firstIndex(where: { $0.name == l.name }) { group[i] = l } else { group.append(l) }
        }
    }
}
