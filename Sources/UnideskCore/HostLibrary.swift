import Foundation
import LuaRuntime
import UnideskFiles

/// A primitive family as the engine sees it: `require "unidesk.<name>"`. Bindings build
/// one of these; the engine needs no change to host a new family.
public struct HostLibrary: Sendable {
    public let name: String
    public let summary: String
    /// Every function of the module, host or Lua, described once.
    public let specs: [PrimitiveSpec]
    /// Builds the host functions for one run. Functions implemented in the stdlib Lua
    /// wrapper (stdlib/unidesk/<name>.lua) have a spec but no host function.
    public let make: @Sendable (RunContext) -> [HostFunction]

    public init(name: String, summary: String, specs: [PrimitiveSpec], make: @escaping @Sendable (RunContext) -> [HostFunction]) {
        self.name = name
        self.summary = summary
        self.specs = specs
        self.make = make
    }
}

/// What a binding may use during a run.
public final class RunContext {
    public let gate: Gate
    public let recipeDirectory: ConfinedDirectory
    public let stateDirectory: String
    /// PostgreSQL connection info for recipe state and locks (--state-db), or nil for
    /// files under the state directory.
    public let stateDatabase: String?
    public let redactor: Redactor
    public let console: Console
    /// The process environment, for what primitives configure from it (DOCKER_CONFIG,
    /// proxies, KUBECONFIG). Scripts see only what the policy exposes.
    public let environment: [String: String]
    public var mode: RunMode { gate.mode }
    let remaining: () -> Double

    init(gate: Gate, recipeDirectory: ConfinedDirectory, stateDirectory: String, stateDatabase: String?, redactor: Redactor,
         console: Console, environment: [String: String], remaining: @escaping () -> Double) {
        self.stateDatabase = stateDatabase
        self.environment = environment
        self.gate = gate
        self.recipeDirectory = recipeDirectory
        self.stateDirectory = stateDirectory
        self.redactor = redactor
        self.console = console
        self.remaining = remaining
    }

    private var endActions: [() -> Void] = []

    /// Runs `action` when the run or REPL session ends (closing connections politely).
    public func atEnd(_ action: @escaping () -> Void) { endActions.append(action) }

    func finish() {
        let actions = endActions
        endActions = []
        actions.reversed().forEach { $0() }
    }

    /// Deadlines of the pipeline steps running now (monotonic seconds), innermost last.
    private var stepDeadlines: [Double] = []

    /// Seconds left before the run's deadline, or the running step's if it is sooner:
    /// pass it into blocking calls' timeouts.
    public var deadlineRemaining: Double {
        let run = remaining()
        guard let step = stepDeadlines.last else { return run }
        return max(0, min(run, step - Self.now))
    }

    /// A pipeline step's own deadline: primitives called inside it stop waiting by then.
    public func pushStepDeadline(seconds: Double) {
        let inherited = stepDeadlines.last ?? .infinity
        stepDeadlines.append(min(inherited, Self.now + seconds))
    }

    public func popStepDeadline() { if !stepDeadlines.isEmpty { stepDeadlines.removeLast() } }

    static var now: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// A host function whose arguments are checked against `spec` before `body` runs.
    public func function(_ spec: PrimitiveSpec, _ body: @escaping ([LuaValue]) throws -> [LuaValue]) -> HostFunction {
        HostFunction(spec.fullName) { args in
            try spec.check(args)
            return try body(args)
        }
    }

    /// A gated read. Recorded instead of performed only by `plan --offline` (never for
    /// local reads), and then it returns `LuaValue.unknownRead`.
    public func gatedRead(_ spec: PrimitiveSpec,
                          scope: @escaping ([LuaValue]) throws -> String,
                          perform: @escaping ([LuaValue]) throws -> [LuaValue]) -> HostFunction {
        gated(spec, scope: scope, perform: perform, plan: { _ in Gate.Planned.offlineRead })
    }

    /// A host function that goes through the gate: checked, then policy → plan or
    /// perform → audit. `scope` forms the capability scope from the arguments; `effect`
    /// overrides the spec's when the backend decides it (state in a database is a
    /// network read, not a local one).
    public func gated(_ spec: PrimitiveSpec,
                      scope: @escaping ([LuaValue]) throws -> String,
                      effect: EffectClass? = nil,
                      perform: @escaping ([LuaValue]) throws -> [LuaValue],
                      plan: @escaping ([LuaValue]) throws -> Gate.Planned<[LuaValue]>) -> HostFunction {
        HostFunction(spec.fullName) { [gate, redactor] args in
            try spec.check(args)
            let s = try scope(args)
            return try gate.call(spec, scope: s, arguments: LuaData.auditArguments(args, redactor: redactor), effect: effect,
                                 perform: { try perform(args) }, plan: { try plan(args) })
        }
    }
}
