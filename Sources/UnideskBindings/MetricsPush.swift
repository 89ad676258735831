import Foundation
import UnideskCore
import UnideskNotify

/// The end of a run, as a Prometheus batch job reports it: the report converted to metric
/// families and PUT to a Pushgateway group (job, recipe, app and the configured labels),
/// replacing the last run's.
public enum MetricsPush {
    public static let pusher: MetricsPusher = { report, config in push(report, config) }

    /// `recipes/shop/upgrade.lua` → `recipes/shop/upgrade`: the path as given, without `./`
    /// and `.lua` (the group of a recipe is the same on every run from the same place).
    static func recipeLabel(_ path: String) -> String {
        let p = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        return p.hasSuffix(".lua") ? String(p.dropLast(4)) : p
    }

    static func group(_ report: RunReport, _ config: MetricsConfig) -> [MetricFamily.Label] {
        var labels = [MetricFamily.Label("recipe", recipeLabel(report.recipe))]
        for l in report.metricsGroup where !l.value.isEmpty { labels.append(.init(l.name, l.value)) }
        for (k, v) in config.labels where !labels.contains(where: { $0.name == k }) { labels.append(.init(k, v)) }
        if report.mode.isPlan { labels.append(.init("mode", "plan")) }
        return labels
    }

    static func families(_ report: RunReport) -> [MetricFamily] {
        typealias L = MetricFamily.Label
        var fs = [
            MetricFamily(name: "unidesk_run_duration_seconds", help: "Wall time of the run.", kind: .gauge,
                         samples: [.init(value: report.durationMs / 1000)]),
            MetricFamily(name: "unidesk_run_exit_code", help: "The run's exit code (0 ok, 1 failed, 2 usage, 3 denied, 4 limit, 6 drift).", kind: .gauge,
                         samples: [.init(value: Double(report.exitCode.rawValue))]),
            MetricFamily(name: "unidesk_run_success", help: "1 when the run exited 0.", kind: .gauge,
                         samples: [.init(value: report.exitCode.rawValue == 0 ? 1 : 0)]),
            MetricFamily(name: "unidesk_run_finished_timestamp_seconds", help: "When the run ended (Unix time).", kind: .gauge,
                         samples: [.init(value: (report.startedAt.timeIntervalSince1970 + report.durationMs / 1000).rounded())]),
        ]
        // Steps by their path; a name run twice is summed (a Pushgateway refuses a series twice).
        var steps: [(path: String, status: String, seconds: Double)] = []
        for (i, s) in report.steps.enumerated() where !s.isTest {
            let path = report.stepPath(i), status = s.status.rawValue
            if let k = steps.firstIndex(where: { $0.path == path && $0.status == status }) { steps[k].seconds += s.durationMs / 1000 }
            else { steps.append((path, status, s.durationMs / 1000)) }
        }
        fs.append(MetricFamily(name: "unidesk_step_duration_seconds", help: "Wall time of each step (unidesk.step, pipeline steps) by its outcome.", kind: .gauge,
                               samples: steps.map { .init(labels: [L("step", $0.path), L("status", $0.status)], value: $0.seconds) }))
        let performed = report.audit.filter { $0.effect == .write && $0.performed }.count
        let planned = report.audit.filter { $0.outcome == .planned }.count
        let denied = report.audit.filter { $0.outcome == .denied }.count
        fs.append(MetricFamily(name: "unidesk_effects", help: "Writes of the run by outcome.", kind: .gauge, samples: [
            .init(labels: [L("outcome", "performed")], value: Double(performed)),
            .init(labels: [L("outcome", "planned")], value: Double(planned)),
            .init(labels: [L("outcome", "denied")], value: Double(denied)),
        ]))
        var order: [String] = []
        var byName: [String: MetricFamily] = [:]
        for m in report.metrics {
            let sample = MetricFamily.Sample(labels: m.labels.map { L($0.name, $0.value) }, value: m.value)
            if byName[m.name] == nil {
                order.append(m.name)
                byName[m.name] = MetricFamily(name: m.name, help: m.help.isEmpty ? "Set by the recipe." : m.help,
                                              kind: m.kind == .counter ? .counter : .gauge, samples: [])
            }
            byName[m.name]!.samples.append(sample)
        }
        return fs + order.compactMap { byName[$0] }
    }

    static func push(_ report: RunReport, _ config: MetricsConfig) -> MetricsPushOutcome {
        let url = Exposition.groupURL(base: config.push, job: config.job, labels: group(report, config))
        return MetricsPushOutcome(url: HTTPBinding.masked(url).0,
                                  error: Pushgateway.put(url: url, families: families(report), timeout: config.timeout))
    }
}
