import ArgumentParser

/// The flags of `unidesk repl`: run's, less those that make no sense for a session (no
/// report, JUnit or metrics push: nothing ends as a run; no stop grace: Ctrl-C interrupts
/// an input), with --timeout per input.
struct ReplOptions: ParsableArguments {
    @Option(name: .customLong("var"), help: OptionHelp.vars)
    var vars: [String] = []

    @Option(help: ArgumentHelp("Deadline of each input (not of the session); an input past it is stopped with 'limit: deadline', the session goes on.", valueName: "seconds"))
    var timeout: Double = RunFlags.defaultTimeout

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Memory cap of the session's Lua sandbox; an input that exceeds it is stopped, the session goes on.", valueName: "MB"))
    var maxMemory: Int = RunFlags.defaultMaxMemory

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

    @Option(name: .customLong("state-dir"), help: OptionHelp.stateDir)
    var stateDir: String?

    @Option(name: .customLong("state-db"), help: OptionHelp.stateDb)
    var stateDb: String?

    @Flag(name: .customLong("no-color"), help: OptionHelp.noColor)
    var noColor = false

    func validate() throws { try flags.validate() }

    var flags: RunFlags {
        RunFlags(vars: vars, timeout: timeout, maxMemory: maxMemory, allow: allow, deny: deny, policy: policy, env: env,
                 secretEnv: secretEnv, alertSinks: alertSinks, stateDir: stateDir, stateDb: stateDb, noColor: noColor)
    }
}
