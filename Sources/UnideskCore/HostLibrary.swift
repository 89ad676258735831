import Foundation
import LuaRuntime
import UnideskData
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

/// A family's timeout: the default when a call names none, and the floor.
public struct TimeoutDefault: Sendable {
    public let seconds: Double
    public let minimum: Double
    public init(seconds: Double, minimum: Double) {
        self.seconds = seconds
        self.minimum = minimum
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
    /// The operator's alert sinks (policy file `alerts.sinks`, --alert-sink).
    public var alertSinks: [AlertSinkConfig] { gate.policy.alertSinks }
    /// What the recipe set through unidesk.metrics, pushed at the end of the run.
    public let metrics = RecipeMetrics()
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

    /// A file of the recipe's directory (relative path) that a primitive hands to another
    /// program, so a saved plan holds its digest: apply refuses when it changed.
    public func usesRecipeFile(_ path: String) {
        if !gate.recipeFilesUsed.contains(path) { gate.recipeFilesUsed.append(path) }
    }

    /// A value as a write's basis holds it (see `SpecGate.call`): itself when short, its
    /// salted digest otherwise; null for nothing.
    public func basisValue(_ d: DataValue?) -> DataValue { gate.basisValue(d) }

    /// "sha256:<hex>" of bytes, salted as a saved plan's digests are.
    public func digest(_ bytes: [UInt8]) -> String { Digest.sha256(gate.digestSalt + bytes) }

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

    /// The timeout a blocking call gets: `requested` (the script's `timeout`) or the
    /// family's default, never past the run's or the step's deadline, never below the
    /// family's minimum (a zero timeout would mean "wait forever" to libcurl and libpq).
    /// Defaults per family: `Timeouts` in UnideskBindings, listed in docs/guide.md.
    public func timeout(_ requested: Double?, default seconds: Double, minimum: Double) -> Double {
        max(minimum, min(requested ?? seconds, deadlineRemaining, 1e7))
    }

    public func timeout(_ requested: Double?, _ family: TimeoutDefault) -> Double {
        timeout(requested, default: family.seconds, minimum: family.minimum)
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
        // A call cut short by the run's deadline: the limit takes the script at its next
        // instruction, not when the timer's signal arrives (a loaded machine delivers it
        // late, and the script must not run on past its deadline meanwhile).
        defer { if remaining() <= 0 { checkLimitsSoon() } }
        let results: T
        do { results = try body() } catch {
            if let timeout = stepTimeout() { throw timeout }
            throw error
        }
        if let timeout = stepTimeout() { throw timeout }
        return results
    }

    /// Set by the session: arms the Lua state's limit check (LuaState.checkLimitsSoon).
    var checkLimitsSoon: () -> Void = {}

    static var now: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// How each spec's host function was registered this run (`function` or a gated form),
    /// for the test that every effectful spec goes through the gate.
    public private(set) var registrations: [(spec: PrimitiveSpec, gated: Bool)] = []

    /// A pure host function: arguments checked against `spec`, then `body`. An effectful
    /// spec registered here is a programming error: it is recorded (the registration test
    /// fails) and the function raises a "unidesk bug" error instead of acting ungated.
    public func function(_ spec: PrimitiveSpec, _ body: @escaping ([LuaValue]) throws -> [LuaValue]) -> HostFunction {
        registrations.append((spec, false))
        guard spec.effect == .pure else {
            return HostFunction(spec.fullName) { _ in
                throw HostError.message("unidesk bug: \(spec.fullName) is a \(spec.effect.rawValue) registered with function(); effectful primitives register with gated or gatedEach")
            }
        }
        return HostFunction(spec.fullName) { args in
            try spec.check(args)
            return try body(args)
        }
    }

    /// A gated read. Recorded instead of performed only by `plan --offline` (never for
    /// local reads), and then it returns `LuaValue.unknownRead`.
    /// `summary`: a short form of the result for drift messages (see `SpecGate.call`).
    public func gatedRead(_ spec: PrimitiveSpec,
                          scope: @escaping ([LuaValue]) throws -> String,
                          target: (([LuaValue]) throws -> DataValue)? = nil,
                          summary: (([LuaValue]) -> DataValue?)? = nil,
                          fingerprint: (([LuaValue]) -> DataValue?)? = nil,
                          perform: @escaping ([LuaValue]) throws -> [LuaValue]) -> HostFunction {
        gated(spec, scope: scope, target: target, summary: summary, fingerprint: fingerprint, perform: perform, plan: { _ in Gate.Planned.offlineRead })
    }

    /// A host function that goes through the gate: checked, then policy → plan or
    /// perform → audit. `scope` forms the capability scope from the arguments; `target`
    /// describes what the call touches as data (default: the scope); `effect` overrides
    /// the spec's when the backend decides it (state in a database is a network read, not
    /// a local one).
    public func gated(_ spec: PrimitiveSpec,
                      scope: @escaping ([LuaValue]) throws -> String,
                      target: (([LuaValue]) throws -> DataValue)? = nil,
                      effect: EffectClass? = nil,
                      summary: (([LuaValue]) -> DataValue?)? = nil,
                      fingerprint: (([LuaValue]) -> DataValue?)? = nil,
                      basis: (([LuaValue]) throws -> DataValue?)? = nil,
                      perform: @escaping ([LuaValue]) throws -> [LuaValue],
                      plan: @escaping ([LuaValue]) throws -> Gate.Planned<[LuaValue]>) -> HostFunction {
        registrations.append((spec, true))
        let specGate = gate(for: spec)
        return HostFunction(spec.fullName) { args in
            try spec.check(args)
            let s = try scope(args)
            let t = try target?(args)
            return try self.bounded {
                try specGate.call(scope: s, arguments: specGate.audit(args), effect: effect, target: t,
                                  compare: specGate.comparable(args), summary: summary, fingerprint: fingerprint,
                                  basis: basis.map { b in { try b(args) } },
                                  perform: { try perform(args) }, plan: { try plan(args) })
            }
        }
    }

    /// A gated host function that makes one gated call per object it touches (every
    /// manifest of an apply, every reference of a batch): checked against `spec`, then
    /// `body` with a `SpecGate` for `items` (default: `spec` itself) through which each
    /// object's call goes. Bounded by the step deadline as a whole. `method`: argument 1
    /// is the object the Lua wrapper passes for self, not described by the spec.
    public func gatedEach(_ spec: PrimitiveSpec, items: PrimitiveSpec? = nil, method: Bool = false,
                          _ body: @escaping ([LuaValue], SpecGate) throws -> [LuaValue]) -> HostFunction {
        registrations.append((spec, true))
        let specGate = gate(for: items ?? spec)
        return HostFunction(spec.fullName) { args in
            if method {
                do { try spec.check(Array(args.dropFirst())) } catch let HostError.argument(n, m) { throw HostError.argument(n + 1, m) }
            } else {
                try spec.check(args)
            }
            return try self.bounded { try body(args, specGate) }
        }
    }

    /// The gate bound to `spec`, for gated calls made outside a host function (clean-up
    /// statements at the end of the run).
    public func gate(for spec: PrimitiveSpec) -> SpecGate { SpecGate(spec: spec, gate: gate, redactor: redactor) }
}

/// The gate bound to one spec: the capability is always the spec's operation plus the
/// scope a call names, never a free-form string.
public struct SpecGate {
    public let spec: PrimitiveSpec
    let gate: Gate
    let redactor: Redactor

    /// One gated call: policy → plan or perform → audit record (with `target`, default the
    /// scope, and the fingerprint of a performed read's result).
    /// For saved plans (`unidesk plan --out`, `unidesk apply`): `compare` is the call's data
    /// in full, compared with the plan's (default: `arguments`, where long strings are cut:
    /// pass `comparable(args)` or the object written); `summary` the short form of a read's
    /// result that a drift message shows (default: the result when it is short);
    /// `fingerprint`, the part of a read's result that is compared (default: all of it;
    /// leave out what changes by itself, such as a health check's output); `basis`,
    /// for a write, what its verdict rests on (the live object's resourceVersion, the running
    /// container's id, the stored value's digest), observed when the plan is made and again
    /// just before apply performs the write: a difference is drift. Small and free of
    /// volatile fields (timestamps, health output), or every apply would drift.
    public func call<T>(scope: String, arguments: DataValue, effect: EffectClass? = nil, target: DataValue? = nil,
                        compare: DataValue? = nil, batch: AuditRecord.Batch? = nil, summary: ((T) -> DataValue?)? = nil,
                        fingerprint: ((T) -> DataValue?)? = nil,
                        basis: (() throws -> DataValue?)? = nil,
                        perform: () throws -> T, plan: () throws -> Gate.Planned<T>) throws -> T {
        try gate.call(spec, scope: scope, arguments: arguments, effect: effect, target: target, compare: compare, batch: batch,
                      fingerprint: fingerprint ?? Self.data, summary: summary, basis: basis, perform: perform, plan: plan)
    }

    /// Arguments as the audit keeps them (secrets masked, long strings cut).
    public func audit(_ args: [LuaValue]) -> DataValue { LuaData.auditArguments(args, redactor: redactor) }

    /// Arguments in full for the comparison with a saved plan (secrets masked); nil, at no
    /// cost, when no plan is being saved or applied.
    public func comparable(_ args: [LuaValue]) -> DataValue? {
        guard gate.observesBasis else { return nil }
        return .array(args.map { (try? LuaData.toData($0, .describing)) ?? .string("<\($0.typeName)>") })
    }

    /// A value in full for the comparison with a saved plan (an object written), or nil.
    public func comparable(_ value: DataValue) -> DataValue? { gate.observesBasis ? value : nil }

    /// Whether this run saves or applies a plan: bases are observed only then.
    public var observesBasis: Bool { gate.observesBasis }

    /// A value as a write's basis holds it: itself when short, its salted digest otherwise
    /// (nil: nothing there).
    public func basisValue(_ d: DataValue?) -> DataValue { gate.basisValue(d) }

    /// Whether a call with this scope would pass the policy (to batch only what is
    /// allowed): no audit, no effect; the call itself still goes through `call`.
    public func permits(scope: String, effect: EffectClass? = nil) -> Bool {
        gate.permits(Capability(spec.operation, scope: scope), effect: effect ?? spec.effect)
    }

    /// A result as data for its fingerprint: Lua values convert (nil when one has no JSON
    /// form, a secret among them); other results have none.
    static func data<T>(_ result: T) -> DataValue? {
        if let values = result as? [LuaValue] {
            return try? .array(values.map { v throws(LuaData.ConversionError) in try LuaData.toData(v) })
        }
        if let value = result as? LuaValue { return try? LuaData.toData(value) }
        if let value = result as? DataValue { return value }
        return nil
    }
}
