import CCrypto
import Foundation
import LuaRuntime
import UnideskData

/// The one choke point every primitive call passes: policy check → plan or perform →
/// audit record. Primitives never decide for themselves whether to act.
public final class Gate {
    public let mode: RunMode
    let policy: Policy
    let journal: AuditJournal
    let console: Console
    let redactor: Redactor

    /// Whether a performed read's result is digested into its record (EngineOptions.fingerprintReads).
    let digestsReads: Bool

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
    func call<T>(_ spec: PrimitiveSpec, scope: String, arguments: DataValue, effect: EffectClass? = nil,
                 target: DataValue? = nil, fingerprint: (T) -> DataValue? = { _ in nil },
                 perform: () throws -> T,
                 plan: () throws -> Planned<T>) throws -> T {
        let capability = Capability(spec.operation, scope: scope)
        let effect = effect ?? spec.effect
        var record = AuditRecord(primitive: spec.fullName, capability: capability.description,
                                 effect: effect, arguments: arguments, outcome: .ok,
                                 durationMs: 0, planned: false)
        record.target = target ?? .string(scope)
        if case .denied(let why) = policy.decide(capability, effect: effect) {
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
        do {
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
            let result = try perform()
            // A read's result, digested: a later run (a saved plan's drift check) can tell
            // whether what it read is still what was read.
            if digestsReads, effect == .read || effect == .localRead, let data = fingerprint(result) {
                record.fingerprint = Self.fingerprint(data)
            }
            return result
        } catch let HostError.structured(kind, message, fields) {
            // A primitive may refuse on its own (a path outside its directory): that is a
            // denial like the policy's, journaled and sticky.
            record.outcome = kind == "denied" ? .denied : .error
            record.planned = shouldPlan
            record.errorKind = kind
            record.message = redactor.scrub(message)
            throw HostError.structured(kind: kind, message: message, fields: fields)
        } catch {
            record.outcome = .error
            record.planned = shouldPlan
            record.message = redactor.scrub((error as? HostError)?.text(calling: spec.fullName) ?? "\(error)")
            throw error
        }
    }

    /// "sha256:<hex>" of the value's canonical JSON (keys sorted, compact); nil when it
    /// has no JSON form.
    static func fingerprint(_ value: DataValue) -> String? {
        guard let json = try? JSON.encode(value, options: .init(pretty: false, sortKeys: true)) else { return nil }
        let bytes = Array(json.utf8)
        var out = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { b in _ = ud_sha256(b.baseAddress, b.count, &out) }
        let digits = Array("0123456789abcdef")
        return "sha256:" + String(out.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    /// Whether a call would pass the policy (for `unidesk.can` and `SpecGate.permits`): no
    /// audit, no effect.
    func permits(_ capability: Capability, effect: EffectClass) -> Bool {
        policy.decide(capability, effect: effect) == .allowed
    }
}
