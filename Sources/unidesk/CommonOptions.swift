import ArgumentParser
import Foundation
import UnideskBindings
import UnideskCore
import UnideskState

/// The help of each run flag, shared by run/plan (CommonOptions) and repl (ReplOptions).
enum OptionHelp {
    static let vars = ArgumentHelp("Set unidesk.vars.KEY = VALUE (repeatable).", valueName: "key=value")
    static let timeout = ArgumentHelp("Wall-clock deadline for the whole run; exit 4 when it passes.", valueName: "seconds")
    static let maxMemory = ArgumentHelp("Memory cap of the Lua sandbox; exit 4 when exceeded.", valueName: "MB")
    static let report = ArgumentHelp("Write the JSON report (status, steps, effects, audit, outputs) to FILE.", valueName: "file")
    static let junit = ArgumentHelp("Write JUnit XML (one testcase per step) to FILE.", valueName: "file")
    static let allow = ArgumentHelp("Grant a capability, e.g. 'fs.write:reports/*' or 'kube.apply:dev/*' (repeatable, globs).", valueName: "cap")
    static let deny = ArgumentHelp("Deny a capability, reads included; deny wins over allow (repeatable).", valueName: "cap")
    static let policy = ArgumentHelp("Policy file (YAML/JSON) with allow, deny, env, secret_env lists.", valueName: "file")
    static let env = ArgumentHelp("Expose an environment variable to unidesk.env (repeatable).", valueName: "name")
    static let secretEnv = ArgumentHelp("Expose an environment variable as a secret: masked in every output (repeatable).", valueName: "name")
    static let alertSinks = ArgumentHelp("Deliver alert.raise/resolve to TYPE=URL: alertmanager=http://am:9093 (API v2), webhook=URL (JSON), slack=URL (incoming webhook). Repeatable; adds to the policy file's alerts.sinks and grants the POST to that URL.", valueName: "type=url")
    static let metricsPush = ArgumentHelp("Push the run's metrics (duration, exit code, steps, effects, the recipe's unidesk.metrics) to this Prometheus Pushgateway at the end of the run, grouped by job=unidesk, recipe and app. A plan pushes only when given this flag (grouped with mode=plan). Overrides the policy file's metrics.push.", valueName: "url")
    static let stateDir = ArgumentHelp("Directory for recipe state and fs.write (default: $UNIDESK_STATE_DIR or ~/.local/state/unidesk).", valueName: "dir")
    static let stateDb = ArgumentHelp("Keep unidesk.state (values and app locks) in this PostgreSQL database instead of files under --state-dir, so runs on many CI workers share state and one app's runs never overlap (advisory locks). A libpq key=value string or postgres:// URI; the table unidesk_state is created on first use. Default: $UNIDESK_STATE_DB; unset: files.", valueName: "conninfo")
    static let noColor = ArgumentHelp("No colour or spinner, even on a terminal (also: NO_COLOR set; without a terminal there are none).")
    static let stopGrace = ArgumentHelp("After SIGTERM or SIGINT the run stops at its next Lua instruction, waits end early, locks are released and the report is written (exit 4, 'limit: stopped by SIGTERM'); a process still running this many seconds later is stopped hard (exit 4). A second signal stops it hard at once. Keep it below the pod's terminationGracePeriodSeconds (30 by default).", valueName: "seconds")
}

/// Flags shared by run and plan (repl takes ReplOptions, a subset).
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("var"), help: OptionHelp.vars)
    var vars: [String] = []

    @Option(help: OptionHelp.timeout)
    var timeout: Double = RunFlags.defaultTimeout

    @Option(name: .customLong("max-memory"), help: OptionHelp.maxMemory)
    var maxMemory: Int = RunFlags.defaultMaxMemory

    @Option(help: OptionHelp.report)
    var report: String?

    @Option(help: OptionHelp.junit)
    var junit: String?

    @Option(name: .customLong("allow"), help: OptionHelp.allow)
    var allow: [String] = []

    @Option(name: .customLong("deny"), help: OptionHelp.deny)
    var deny: [String] = []

    @Option(help: OptionHelp.policy)
    var policy: String?

    @Option(name: .customLong("env"), help: OptionHelp.env)
    var env: [String] = []

    @Option(name: .customLong("secret-env"), help: OptionHelp.secretEnv)
    var secretEnv: [String] = []

    @Option(name: .customLong("alert-sink"), help: OptionHelp.alertSinks)
    var alertSinks: [String] = []

    @Option(name: .customLong("metrics-push"), help: OptionHelp.metricsPush)
    var metricsPush: String?

    @Option(name: .customLong("state-dir"), help: OptionHelp.stateDir)
    var stateDir: String?

    @Option(name: .customLong("state-db"), help: OptionHelp.stateDb)
    var stateDb: String?

    @Flag(name: .customLong("no-color"), help: OptionHelp.noColor)
    var noColor = false

    @Option(name: .customLong("stop-grace"), help: OptionHelp.stopGrace)
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
