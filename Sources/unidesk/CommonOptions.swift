import ArgumentParser
import Foundation
import UnideskBindings
import UnideskCore
import UnideskState

/// Flags shared by run, plan and repl.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("var"), help: ArgumentHelp("Set unidesk.vars.KEY = VALUE (repeatable).", valueName: "key=value"))
    var vars: [String] = []

    @Option(help: ArgumentHelp("Wall-clock deadline for the whole run; exit 4 when it passes.", valueName: "seconds"))
    var timeout: Double = 1800

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Memory cap of the Lua sandbox; exit 4 when exceeded.", valueName: "MB"))
    var maxMemory: Int = 512

    @Option(help: ArgumentHelp("Write the JSON report (status, steps, effects, audit, outputs) to FILE.", valueName: "file"))
    var report: String?

    @Option(help: ArgumentHelp("Write JUnit XML (one testcase per step) to FILE.", valueName: "file"))
    var junit: String?

    @Option(name: .customLong("allow"), help: ArgumentHelp("Grant a capability, e.g. 'fs.write:reports/*' or 'kube.apply:dev/*' (repeatable, globs).", valueName: "cap"))
    var allow: [String] = []

    @Option(name: .customLong("deny"), help: ArgumentHelp("Deny a capability, reads included; deny wins over allow (repeatable).", valueName: "cap"))
    var deny: [String] = []

    @Option(help: ArgumentHelp("Policy file (YAML/JSON) with allow, deny, env, secret_env lists.", valueName: "file"))
    var policy: String?

    @Option(name: .customLong("env"), help: ArgumentHelp("Expose an environment variable to unidesk.env (repeatable).", valueName: "name"))
    var env: [String] = []

    @Option(name: .customLong("secret-env"), help: ArgumentHelp("Expose an environment variable as a secret: masked in every output (repeatable).", valueName: "name"))
    var secretEnv: [String] = []

    @Option(name: .customLong("alert-sink"), help: ArgumentHelp("Deliver alert.raise/resolve to TYPE=URL: alertmanager=http://am:9093 (API v2), webhook=URL (JSON), slack=URL (incoming webhook). Repeatable; adds to the policy file's alerts.sinks and grants the POST to that URL.", valueName: "type=url"))
    var alertSinks: [String] = []

    @Option(name: .customLong("metrics-push"), help: ArgumentHelp("Push the run's metrics (duration, exit code, steps, effects, the recipe's unidesk.metrics) to this Prometheus Pushgateway at the end of the run, grouped by job=unidesk, recipe and app. A plan pushes only when given this flag (grouped with mode=plan). Overrides the policy file's metrics.push.", valueName: "url"))
    var metricsPush: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Directory for recipe state and fs.write (default: $UNIDESK_STATE_DIR or ~/.local/state/unidesk).", valueName: "dir"))
    var stateDir: String?

    @Option(name: .customLong("state-db"), help: ArgumentHelp("Keep unidesk.state (values and app locks) in this PostgreSQL database instead of files under --state-dir, so runs on many CI workers share state and one app's runs never overlap (advisory locks). A libpq key=value string or postgres:// URI; the table unidesk_state is created on first use. Default: $UNIDESK_STATE_DB; unset: files.", valueName: "conninfo"))
    var stateDb: String?

    @Flag(name: .customLong("no-color"), help: "No colour or spinner, even on a terminal (also: NO_COLOR set; without a terminal there are none).")
    var noColor = false

    @Option(name: .customLong("stop-grace"), help: ArgumentHelp("After SIGTERM or SIGINT the run stops at its next Lua instruction, waits end early, locks are released and the report is written (exit 4, 'limit: stopped by SIGTERM'); a process still running this many seconds later is stopped hard (exit 4). A second signal stops it hard at once. Keep it below the pod's terminationGracePeriodSeconds (30 by default).", valueName: "seconds"))
    var stopGrace: Double = 20

    /// Called by ArgumentParser while parsing, so these errors show the subcommand's usage.
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

    /// Options whose value may be a negative number: ArgumentParser would take `--timeout -1`
    /// for a flag named `-1` ("Missing value"); joined as `--timeout=-1`, the value reaches
    /// validate(), which says what is wrong with it.
    static let numericOptions: Set<String> = ["--timeout", "--max-memory", "--stop-grace"]

    static func joiningNegativeValues(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" { return out + arguments[i...] }
            if numericOptions.contains(a), i + 1 < arguments.count, Double(arguments[i + 1]) != nil, arguments[i + 1].hasPrefix("-") {
                out.append("\(a)=\(arguments[i + 1])")
                i += 2
                continue
            }
            out.append(a)
            i += 1
        }
        return out
    }

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
        o.color = !noColor && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        o.reportPath = report
        o.stopGrace = stopGrace
        let log = o.environment["UNIDESK_TERMINATION_LOG"] ?? "/dev/termination-log"
        o.terminationLogPath = log.isEmpty ? nil : log
        o.junitPath = junit
        o.metricsPusher = MetricsPush.pusher
        return o
    }
}
