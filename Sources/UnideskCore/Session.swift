import Foundation
import LuaRuntime
import UnideskData
import UnideskFiles

/// One sandboxed Lua state with the `unidesk` API installed, its gate, journal and steps.
/// A run uses one session; the REPL keeps one for its lifetime.
public final class Session {
    let options: EngineOptions
    let libraries: [HostLibrary]
    let redactor: Redactor
    let console: Console
    let journal = AuditJournal()
    let gate: Gate
    let steps: StepRecorder
    let moduleFinder: ModuleFinder
    public let lua: LuaState
    private(set) var outputs: [(String, DataValue)] = []
    let context: RunContext

    public init(options: EngineOptions, libraries: [HostLibrary], console: Console, redactor: Redactor,
                recipeDirectory: String) throws {
        self.options = options
        self.libraries = libraries
        self.redactor = redactor
        self.console = console
        for name in options.policy.secretEnv {
            if let v = options.environment[name] { redactor.register(v) }
        }
        // A sink's URL from the environment is a credential (a Slack hook's path is its
        // key): masked whole and as the path a capability shows.
        for sink in options.policy.alertSinks {
            sink.secrets.forEach { redactor.register($0) }
            if sink.urlIsSecret, let path = URLComponents(string: sink.url)?.percentEncodedPath, path.count > 1 { redactor.register(path) }
        }
        gate = Gate(mode: options.mode, policy: options.policy, journal: journal, console: console, redactor: redactor,
                    digestsReads: options.digestsReads)
        steps = StepRecorder(console: console)
        let dir = try ConfinedDirectory(root: recipeDirectory)
        let gate = self.gate
        moduleFinder = ModuleFinder(libraries: libraries.map(\.name), recipeDirectory: dir) { dir, path in
            try gate.call(CoreSpecs.moduleSource, scope: path, arguments: .array([.string(path)]),
                          perform: {
                              do { return try dir.read(path) } catch let e as FileAccessError where e.kind == .outside {
                                  throw HostError.structured(kind: "denied", message: e.message, fields: [("path", .string(path))])
                              }
                          }, plan: { Gate.Planned([]) })
        }
        lua = try LuaState(memoryLimit: options.maxMemoryMB * 1024 * 1024)
        let lua = self.lua
        context = RunContext(gate: gate, recipeDirectory: dir, stateDirectory: options.stateDirectory,
                                 stateDatabase: options.stateDatabase,
                                 redactor: redactor, console: console, environment: options.environment,
                                 remaining: { lua.deadlineRemaining })
        let steps = self.steps
        context.currentStepName = { [weak steps] in steps?.innermostOpenName }
        context.checkLimitsSoon = { lua.checkLimitsSoon() }
        context.steps = steps
        var libs: [(String, LuaValue)] = []
        for lib in libraries {
            let fns = lib.make(context)
            // "unidesk.fs.read" → "read", on the UTF-8 view: a Character walk per name was a
            // tenth of start-up.
            libs.append((lib.name, .table(LuaTable(fields: fns.map { fn in
                let utf8 = fn.name.utf8
                let short = utf8.lastIndex(of: UInt8(ascii: ".")).map { String(fn.name[utf8.index(after: $0)...]) } ?? fn.name
                return (short, .function(fn))
            }))))
        }
        let args: [LuaValue] = [.table(coreFunctions()), .table(LuaTable(fields: libs))]
        if let bytecode = Stdlib.bytecode("unidesk/_prelude.lua") {
            try lua.run(embedded: bytecode, chunkName: "@stdlib/unidesk/_prelude.lua", args: args)
        } else {
            guard let prelude = Stdlib.source("unidesk/_prelude.lua") else {
                throw LuaError(message: "the stdlib prelude is missing (UNIDESK_STDLIB_DIR points at a tree without it?)")
            }
            try lua.run(prelude, chunkName: "@stdlib/unidesk/_prelude.lua", args: args)
        }
    }

    /// Ends what the libraries hold open (database connections). Called once the run or
    /// the REPL session is over; the Lua state is not touched.
    public func finish() { context.finish() }

    func setOutput(_ name: String, _ value: DataValue) {
        if let i = outputs.firstIndex(where: { $0.0 == name }) { outputs[i].1 = value } else { outputs.append((name, value)) }
    }

    /// Runs a chunk in the session's global environment.
    @discardableResult
    public func execute(_ code: String, chunkName: String) throws(LuaError) -> [LuaValue] {
        try lua.run(code, chunkName: chunkName)
    }

    /// Runs a chunk given as bytes (a recipe file, byte for byte).
    @discardableResult
    public func execute(bytes code: [UInt8], chunkName: String) throws(LuaError) -> [LuaValue] {
        try lua.run(bytes: code, chunkName: chunkName)
    }

    /// The policy in force (the REPL's `:grants`).
    public var policy: Policy { gate.policy }

    /// Grants `capability` (a pattern as --allow takes) for the rest of the session: the
    /// REPL's `:allow`. Throws when the pattern is malformed.
    @discardableResult
    public func allow(_ capability: String) throws(ConfigError) -> CapabilityPattern {
        let pattern = try CapabilityPattern(parsing: capability)
        gate.grant(pattern)
        return pattern
    }

    public var auditRecords: [AuditRecord] { journal.records }
    public var stepRecords: [StepRecord] { steps.steps }
    public var deniedCalls: Int { journal.denials.count }
}
