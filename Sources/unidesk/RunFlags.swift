import ArgumentParser
import Foundation
import UnideskBindings
import UnideskCore
import UnideskState

/// The values of CommonOptions' flags, plainly: what `run`, `plan`, `apply`, `test` and `repl`
/// turn into EngineOptions. FastCommandLine fills one without ArgumentParser's property
/// wrappers, whose set-up is most of what parsing costs at start-up.
struct RunFlags {
    static let defaultTimeout: Double = 1800
    static let defaultMaxMemory = 512
    static let defaultStopGrace: Double = 20

    var vars: [String] = []
    var timeout: Double = Self.defaultTimeout
    var maxMemory: Int = Self.defaultMaxMemory
    var report: String?
    var junit: String?
    var allow: [String] = []
    var deny: [String] = []
    var policy: String?
    var env: [String] = []
    var secretEnv: [String] = []
    var alertSinks: [String] = []
    var metricsPush: String?
    var stateDir: String?
    var stateDb: String?
    var noColor = false
    var stopGrace: Double = Self.defaultStopGrace

    func validate() throws {
        guard timeout > 0, timeout.isFinite else {
            throw ValidationError("--timeout must be a positive number of seconds, got \(Self.number(timeout))")
        }
        guard stopGrace > 0, stopGrace.isFinite else {
            throw ValidationError("--stop-grace must be a positive number of seconds, got \(Self.number(stopGrace))")
        }
        // 0 used to lift the cap silently; the sandbox always has one (raise it instead).
        guard maxMemory > 0 else {
            throw ValidationError("--max-memory must be a positive number of MB (the sandbox always has a memory cap; raise it for big data, e.g. --max-memory 4096), got \(maxMemory)")
        }
    }

    private static func number(_ d: Double) -> String { d == d.rounded() && d.isFinite ? "\(Int(d))" : "\(d)" }

    func engineOptions(mode: RunMode) throws -> EngineOptions {
        var o = EngineOptions()
        o.mode = mode
        try validate()
        o.timeout = timeout
        o.maxMemoryMB = maxMemory
        for v in vars {
            guard let eq = v.firstIndex(of: "="), eq != v.startIndex else {
                throw ValidationError("--var expects key=value, got '\(v)'")
            }
            o.vars.append((String(v[..<eq]), String(v[v.index(after: eq)...])))
        }
        do {
            if let policy { o.policy = try Policy.load(path: policy, environment: o.environment) }
            try o.policy.add(allow: allow, deny: deny)
            for (i, flag) in alertSinks.enumerated() {
                var sink = try AlertSinkConfig.parse(flag: flag, index: i)
                // Two flags of one type: the second is alertmanager-2, and so on.
                let same = o.policy.alertSinks.filter { $0.kind == sink.kind }.count
                if same > 0 { sink.name = "\(sink.kind.rawValue)-\(same + 1)" }
                try o.policy.addAlertSink(sink)
            }
            if let metricsPush {
                var m = o.policy.metrics ?? MetricsConfig(push: metricsPush)
                m.push = metricsPush
                try MetricsConfig.check(url: metricsPush)
                // Asked for on the command line: a plan pushes too.
                if mode.isPlan { m.inPlan = true }
                o.policy.metrics = m
            }
        } catch {
            throw ValidationError(error.message)
        }
        o.policy.env += env
        o.policy.secretEnv += secretEnv
        if let stateDir { o.stateDirectory = stateDir }
        if let db = stateDb ?? o.environment["UNIDESK_STATE_DB"], !db.isEmpty {
            // A malformed conninfo is a usage error now (exit 2), not a failure at first use.
            do { _ = try PostgresStateStore(conninfo: db) } catch { throw ValidationError(error.description) }
            o.stateDatabase = db
        }
        o.color = !noColor && o.environment["NO_COLOR"] == nil
        o.reportPath = report
        o.stopGrace = stopGrace
        let log = o.environment["UNIDESK_TERMINATION_LOG"] ?? "/dev/termination-log"
        o.terminationLogPath = log.isEmpty ? nil : log
        o.junitPath = junit
        o.metricsPusher = MetricsPush.pusher
        return o
    }
}
