import Foundation

/// Everything a run is told from outside: flags, policy, environment.
public struct EngineOptions: Sendable {
    public var mode: RunMode = .run
    /// Wall-clock deadline in seconds for the whole run.
    public var timeout: Double = 1800
    /// Memory cap of the Lua state in MiB (0 = none).
    public var maxMemoryMB: Int = 512
    public var policy = Policy()
    public var vars: [(String, String)] = []
    public var stateDirectory: String = EngineOptions.defaultStateDirectory
    /// PostgreSQL connection info (libpq key=value or postgres:// URI) that holds recipe
    /// state and app locks instead of files, for runs spread over many CI workers
    /// (--state-db, $UNIDESK_STATE_DB). Nil: files under `stateDirectory`.
    public var stateDatabase: String?
    public var color = true
    public var reportPath: String?
    public var junitPath: String?
    /// Whether performed reads' results are digested into their audit records
    /// (`fingerprint`): only something that reads the records needs them (the JSON report,
    /// a plan), and hashing every read's result is a per-call cost (a quarter of a loop of
    /// state.get calls). Nil: when a report is written or the run is a plan.
    public var fingerprintReads: Bool?
    var digestsReads: Bool { planOutPath != nil || applying != nil || (fingerprintReads ?? (reportPath != nil || mode.isPlan)) }
    /// `unidesk plan --out FILE`: where the saved plan goes.
    public var planOutPath: String?
    /// `unidesk apply FILE`: the saved plan this run must follow.
    public var applying: SavedPlan?
    /// The process environment; only variables the policy exposes reach the script.
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// `unidesk test --record`: test.replay calls the real primitives and writes what they
    /// answered, instead of answering from the recording.
    public var recordReplays = false
    /// Seconds a script stuck inside a C function gets after the deadline before the
    /// process is stopped hard.
    public var hardStopGrace: Double = 1.5
    /// Seconds a run stopped by SIGTERM/SIGINT gets to end cleanly before it is stopped hard
    /// (--stop-grace); nil: the engine installs no signal handlers (tests in-process, the REPL).
    public var stopGrace: Double?
    /// Where the end-of-run summary goes when the file exists and is writable (Kubernetes'
    /// terminationMessagePath): $UNIDESK_TERMINATION_LOG, else /dev/termination-log. Nil: none.
    public var terminationLogPath: String?

    /// Pushes the run's metrics when the policy names a Pushgateway (the CLI sets it).
    public var metricsPusher: MetricsPusher?

    public init() {}

    public static var defaultStateDirectory: String {
        if let d = ProcessEnvironment.value("UNIDESK_STATE_DIR"), !d.isEmpty { return d }
        if let x = ProcessEnvironment.value("XDG_STATE_HOME"), !x.isEmpty { return x + "/unidesk" }
        return (ProcessEnvironment.value("HOME") ?? "/tmp") + "/.local/state/unidesk"
    }
}
