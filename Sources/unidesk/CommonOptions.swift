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
    var timeout: Double = RunFlags.defaultTimeout

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Memory cap of the Lua sandbox; exit 4 when exceeded.", valueName: "MB"))
    var maxMemory: Int = RunFlags.defaultMaxMemory

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
    var stopGrace: Double = RunFlags.defaultStopGrace

    /// Called by ArgumentParser while parsing, so these errors show the subcommand's usage.
    func validate() throws { try flags.validate() }

    /// The values, as RunFlags (which the fast path fills without ArgumentParser).
    var flags: RunFlags {
        RunFlags(vars: vars, timeout: timeout, maxMemory: maxMemory, report: report, junit: junit, allow: allow, deny: deny,
                 policy: policy, env: env, secretEnv: secretEnv, alertSinks: alertSinks, metricsPush: metricsPush,
                 stateDir: stateDir, stateDb: stateDb, noColor: noColor, stopGrace: stopGrace)
    }

    func engineOptions(mode: RunMode) throws -> EngineOptions { try flags.engineOptions(mode: mode) }

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
}
