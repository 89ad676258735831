import CCrypto
import Foundation
import LuaRuntime
import UnideskData

/// The one choke point every primitive call passes: policy check → plan or perform →
/// audit record. Primitives never decide for themselves whether to act.
public final class Gate {
    public let mode: RunMode
    /// Fixed for a run; the REPL's `:allow` widens it between inputs (`grant`).
    private(set) var policy: Policy
    let journal: AuditJournal
    let console: Console
    let redactor: Redactor

    /// Whether a performed read's result is digested into its record (EngineOptions.fingerprintReads).
    let digestsReads: Bool
    /// Whether a write's basis (what the plan's verdict rests on) is observed: when a plan
    /// is saved and when one is applied, never in a plain run.
    var observesBasis = false
    /// Salt of every digest a saved plan holds: random for each plan, the plan's own when
    /// it is applied (empty: plain digests, as the report's fingerprints).
    var digestSalt: [UInt8] = []
    /// Set by `unidesk apply`: every call is compared with the saved plan.
    var driftCheck: DriftCheck?
    /// More than zero inside `unidesk.volatile`: calls are not compared with a saved plan.
    var volatileDepth = 0
    /// Calls begun so far: a saved plan lists calls in the order they began (a write over
    /// several targets nests its calls, so they end in the other order), as apply meets them.
    private var begun = 0
    /// Files of the recipe's directory that a primitive handed to another program (compose
    /// files): a saved plan digests them with the files the recipe read itself.
    var recipeFilesUsed: [String] = []

    init(mode: RunMode, policy: Policy, journal: AuditJournal, console: Console, redactor: Redactor, digestsReads: Bool = true) {
        self.digestsReads = digestsReads
        self.mode = mode
        self.policy = policy
        self.journal = journal
        self.console = console
        self.redactor = redactor
    }

    /// What plan mode returns instead of performing: a value for the script, the verdict
    /// (what the write would do: create, change which fields, …; unverified when the binding
    /// cannot tell) and an optional detail for the plan that the verdict does not already say
    /// (why it is unverified, which image a recreate would pull).
    public struct Planned<T> {
        public let value: T
        public let detail: DataValue?
        public let verdict: Verdict
        public init(_ value: T, detail: DataValue? = nil, verdict: Verdict = .unverified) {
            self.value = value
            self.detail = detail
            self.verdict = verdict
        }
    }

    /// Runs `perform` if policy and mode allow it; otherwise `plan` (plan mode) or a
    /// `denied` error. Every outcome is journaled. `effect` overrides the spec's for a
    /// call the arguments make a read (a statement marked read-only).
    /// Not public: bindings reach it only through `RunContext.gated`/`gatedEach` (or
    /// `SpecGate`), so the capability is always the spec's operation.
    /// `target`: what the call touches, as data (default: the scope); `fingerprint`: the
    /// result as data, digested into the record when a read was performed.
    /// Saved plans (plan --out, apply) use three more: `compare`, the call's arguments in
    /// full for the comparison with the plan (default: `arguments`); `summary`, a short form
    /// of a read's result that a drift message shows; `basis`, for a write, what its verdict
    /// rests on (the live object's resourceVersion, the running container's id), observed
    /// before planning and again before performing it.
    /// `batch`: for one call that carries many items (a pipelined batch of rows), how many
    /// and of what; the record and the console line say it once for the whole batch.
    func call<T>(_ spec: PrimitiveSpec, scope: String, arguments: DataValue, effect: EffectClass? = nil,
                 target: DataValue? = nil, compare: DataValue? = nil, batch: AuditRecord.Batch? = nil,
                 fingerprint: (T) -> DataValue? = { _ in nil }, summary: ((T) -> DataValue?)? = nil,
                 basis: (() throws -> DataValue?)? = nil,
                 perform: () throws -> T,
                 plan: () throws -> Planned<T>) throws -> T {
        let capability = Capability(spec.operation, scope: scope)
        let effect = effect ?? spec.effect
        var record = AuditRecord(primitive: spec.fullName, capability: capability.description,
                                 effect: effect, arguments: arguments, outcome: .ok,
                                 durationMs: 0, planned: false)
        record.target = target ?? .string(scope)
        record.batch = batch
        record.volatile = volatileDepth > 0
        begun += 1
        record.sequence = begun
        if observesBasis { record.comparable = kept(compare ?? arguments) }
        if case .denied(let why) = decide(capability, effect: effect) {
            record.outcome = .denied
            record.message = redactor.scrub(why)
            // The grant that would allow exactly this call; none when a deny rule matched
            // (deny wins over any grant).
            if effect == .write && !policy.deny.contains(where: { $0.matches(capability) }) {
                record.grant = capability.description
            }
            journal.append(record)
            console.effect(record)
            throw HostError.structured(kind: "denied", message: "policy denied \(capability): \(record.message ?? "")",
                                       fields: [("capability", .string(capability.description))])
        }
        let shouldPlan: Bool
        switch (mode, effect) {
        case (.run, _), (_, .pure): shouldPlan = false
        case (.plan(let offline), .read): shouldPlan = offline
        case (.plan, .localRead): shouldPlan = false
        case (.plan, .write): shouldPlan = true
        }
        let started = DispatchTime.now().uptimeNanoseconds
        defer {
            record.durationMs = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            journal.append(record)
            // A failed call is not printed as it happens: the script may catch it (pcall,
            // a polling loop), and an uncaught one is printed once, at the end, at the
            // user's line. The audit keeps every failure.
            if record.outcome != .error { console.effect(record) }
        }
        // Whether perform() was entered: a write that failed inside may have changed something.
        var attempted = false
        /// One of a saved plan's comparisons (apply): a difference marks the record as drift.
        func compared(_ comparison: (AuditRecord) throws -> Void) throws {
            do { try comparison(record) } catch {
                record.outcome = .drift
                record.drift = driftCheck?.drift?.json
                throw error
            }
        }
        do {
            if effect == .write, observesBasis, !mode.isOfflinePlan, let basis {
                record.basis = try basis().map(kept)
            }
            if effect == .write, let driftCheck { try compared(driftCheck.beforeWrite) }
            if shouldPlan {
                let p = try plan()
                record.outcome = .planned
                record.planned = true
                record.detail = p.detail
                // A read planned instead of performed (plan --offline) has no known result,
                // whatever value the script gets.
                record.verdict = effect == .write ? p.verdict : .unknown
                return p.value
            }
            attempted = true
            let result = try perform()
            // A read's result, digested: a later run (a saved plan's drift check) can tell
            // whether what it read is still what was read.
            if effect == .read || effect == .localRead {
                if digestsReads, let data = fingerprint(result) {
                    record.fingerprint = Self.fingerprint(data, salt: digestSalt)
                    if observesBasis { record.seen = (summary?(result) ?? Self.shortSummary(data)).map(kept) }
                }
                if let driftCheck { try compared(driftCheck.afterRead) }
            } else if effect == .write {
                driftCheck?.performed(record)
            }
            return result
        } catch where record.outcome == .drift {
            throw error
        } catch let HostError.structured(kind, message, fields) {
            // A primitive may refuse on its own (a path outside its directory): that is a
            // denial like the policy's, journaled and sticky.
            record.outcome = kind == "denied" ? .denied : .error
            record.planned = shouldPlan
            // A write that failed as it ran may have changed something all the same.
            if effect == .write, attempted { driftCheck?.performed(record) }
            record.errorKind = kind
            record.message = redactor.scrub(message)
            // A read that failed is compared too: the plan's failed the same way, or not.
            if effect != .write, !shouldPlan, let driftCheck { try compared(driftCheck.afterRead) }
            throw HostError.structured(kind: kind, message: message, fields: fields)
        } catch {
            record.outcome = .error
            record.planned = shouldPlan
            if effect == .write, attempted { driftCheck?.performed(record) }
            record.message = redactor.scrub((error as? HostError)?.text(calling: spec.fullName) ?? "\(error)")
            throw error
        }
    }

    /// Adds a grant between two inputs of a REPL session (never during a call).
    func grant(_ pattern: CapabilityPattern) {
        policy.allow.append(pattern)
        lastDecision = nil
    }

    /// The policy's last decision: a loop of calls (a bulk load's statements) asks about
    /// the same capability each time, and matching it against every rule again was 4,000
    /// instructions a call. The policy does not change during a run (the REPL's grant clears this).
    private var lastDecision: (capability: Capability, effect: EffectClass, decision: Policy.Decision)?

    private func decide(_ capability: Capability, effect: EffectClass) -> Policy.Decision {
        if let last = lastDecision, last.effect == effect, last.capability == capability { return last.decision }
        let decision = policy.decide(capability, effect: effect)
        lastDecision = (capability, effect, decision)
        return decision
    }

    /// A value as a saved plan keeps it: long strings digested, known secrets masked.
    private func kept(_ d: DataValue) -> DataValue { redactor.scrub(Self.comparable(d, salt: digestSalt)) }

    /// "sha256:<hex>" of the value's canonical JSON (keys sorted, compact), after `salt`;
    /// nil when it has no JSON form.
    static func fingerprint(_ value: DataValue, salt: [UInt8] = []) -> String? {
        guard let json = value.canonicalJSON else { return nil }
        return Digest.sha256(salt + Array(json.utf8))
    }

    /// A value as a saved plan keeps it for comparison: strings longer than 256 bytes become
    /// a salted digest with their length, so the file stays small and a long text (a
    /// manifest, a SQL script) is still compared whole.
    static func comparable(_ d: DataValue, salt: [UInt8]) -> DataValue {
        switch d {
        case .string(let s) where s.utf8.count > 256:
            return .string("<\(s.utf8.count) bytes, \(Digest.sha256(salt + Array(s.utf8)))>")
        case .array(let a): return .array(a.map { comparable($0, salt: salt) })
        case .object(let o): return .object(o.map { ($0.0, comparable($0.1, salt: salt)) })
        default: return d
        }
    }

    /// A value as a write's basis holds it: itself when short, else its salted digest.
    func basisValue(_ d: DataValue?) -> DataValue {
        guard let d else { return .null }
        return Self.shortSummary(d) ?? .string(Self.fingerprint(d, salt: digestSalt) ?? "?")
    }

    /// A read's result as a drift message shows it, when it is short (a state value, a
    /// file's existence); nil for a long one (its fingerprint stands for it).
    static func shortSummary(_ d: DataValue) -> DataValue? {
        guard let json = d.canonicalJSON, json.utf8.count <= 200 else { return nil }
        return d
    }

    /// Whether a call would pass the policy (for `unidesk.can` and `SpecGate.permits`): no
    /// audit, no effect.
    func permits(_ capability: Capability, effect: EffectClass) -> Bool {
        policy.decide(capability, effect: effect) == .allowed
    }
}
