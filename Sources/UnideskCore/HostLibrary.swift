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
    /// Types its functions return or take, declared in the reference and the stubs.
    public let classes: [StubClass]
    /// Builds the host functions for one run. Functions implemented in the stdlib Lua
    /// wrapper (stdlib/unidesk/<name>.lua) have a spec but no host function.
    public let make: @Sendable (RunContext) -> [HostFunction]

    public init(name: String, summary: String, specs: [PrimitiveSpec], classes: [StubClass] = [],
                make: @escaping @Sendable (RunContext) -> [HostFunction]) {
        self.classes = classes
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
    /// The run's steps, for what unidesk.pipeline tells them (RunContext+Steps.swift).
    var steps: StepRecorder?

    /// Runs `action` when the run or REPL session ends (closing connections politely).
    public func atEnd(_ action: @escaping () -> Void) { endActions.append(action) }

    func finish() {
        let actions = endActions
        endActions = []
        actions.reversed().forEach { $0() }
    }

    /// Deadlines of the pipeline steps running now (monotonic seconds) with the timeout that
    /// set each, innermost last.
    /// `step`: the id of the step the deadline belongs to, once it has begun.
    private var stepDeadlines: [(at: Double, seconds: Double, step: Int?)] = []
    /// The name of the innermost step running now (for the timeout's message).
    var currentStepName: () -> String? = { nil }

    /// Seconds left before the run's deadline, or the running step's if it is sooner:
    /// pass it into blocking calls' timeouts.
    public var deadlineRemaining: Double {
        let run = remaining()
        guard let step = stepDeadlines.last else { return run }
        return max(0, min(run, step.at - Self.now))
    }

    /// A pipeline step's own deadline: primitives called inside it stop waiting by then.
    public func pushStepDeadline(seconds: Double) {
        let inherited = stepDeadlines.last.map { ($0.at, $0.seconds) } ?? (.infinity, .infinity)
        let at = Self.now + seconds
        stepDeadlines.append(at < inherited.0 ? (at, seconds, nil) : (inherited.0, inherited.1, nil))
    }

    public func popStepDeadline() { if !stepDeadlines.isEmpty { stepDeadlines.removeLast() } }

    /// A step begins: the deadline pushed just before it (the pipeline pushes, then runs
    /// the step) is that step's.
    func stepBegan(_ id: Int) {
        if let i = stepDeadlines.indices.last, stepDeadlines[i].step == nil { stepDeadlines[i].step = id }
    }

    /// The timeout error when step `id` is ending after its own deadline: a step that
    /// overran in Lua alone (no primitive noticed) still fails as timed out.
    func overran(step id: Int) -> HostError? {
        guard let last = stepDeadlines.last, last.step == id else { return nil }
        return stepTimeout()
    }

    /// The error a primitive or sleep raises when the running step's deadline (not the
    /// run's: that one fires the limit) has passed: the step fails as timed out, wherever
    /// it is shown. Field `deadline = "step"` tells it from a request's own timeout.
    public func stepTimeout() -> HostError? {
        guard let step = stepDeadlines.last, Self.now >= step.at, remaining() > 0 else { return nil }
        let name = currentStepName().map { "step '\($0)'" } ?? "the step"
        return .structured(kind: "timeout", message: "\(name) ran past its timeout of \(Self.seconds(step.seconds)) s",
                           fields: [("deadline", .string("step"))])
    }

    private static func seconds(_ s: Double) -> String { s == s.rounded() && abs(s) < 1e15 ? "\(Int(s))" : "\(s)" }

    /// Runs a primitive's body under the step deadline: when the deadline passed while it
    /// ran (it was cut short, or finished late), the step's timeout is what is raised.
    /// Every gated call is bounded; a pure function that waits (time.sleep) calls it itself.
    public func bounded<T>(_ body: () throws -> T) throws -> T {
        let results: T
        do { results = try body() } catch {
            if let timeout = stepTimeout() { throw timeout }
            throw error
        }
        if let timeout = stepTimeout() { throw timeout }
        return results
    }

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
            return try self.bounded {
                try gate.call(spec, scope: s, arguments: LuaData.auditArguments(args, redactor: redactor), effect: effect,
                              perform: { try perform(args) }, plan: { try plan(args) })
            }
        }
    }
}
