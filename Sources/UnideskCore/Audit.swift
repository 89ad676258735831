import UnideskData

/// One primitive call as the audit journal keeps it. Arguments are already redacted.
public struct AuditRecord: Sendable {
    public enum Outcome: String, Sendable {
        case ok, planned, denied, error
        /// Not performed (a write) or not trusted (a read): reality differs from the saved
        /// plan being applied.
        case drift
    }
    public let primitive: String
    public let capability: String
    public let effect: EffectClass
    public let arguments: DataValue
    public var outcome: Outcome
    public var errorKind: String?
    public var message: String?
    public var detail: DataValue?
    /// For a planned call: what it would do (a read under `plan --offline`: unknown).
    public var verdict: Verdict?
    /// For a call the policy denied: the `--allow` pattern that would permit it (nil when
    /// a deny rule matched, which no grant overrides).
    public var grant: String?
    public var durationMs: Double
    /// What the call touches, as data: the binding's description of its target (a kube
    /// object's kind/namespace/name), or the capability's scope when it gives none.
    public var target: DataValue?
    /// For a read that was performed: "sha256:<hex>" of its result's canonical JSON, so a
    /// later check can tell whether what was read has changed (nil: no JSON form).
    public var fingerprint: String?
    /// The call's arguments in full, for a saved plan (long strings as salted digests).
    public var comparable: DataValue?
    /// For a write under plan --out or apply: what its verdict rests on (see Gate.call).
    public var basis: DataValue?
    /// For a read under plan --out or apply: a short form of its result, for drift messages.
    public var seen: DataValue?
    /// When the call began, counted from 1 in the run (records are journaled as calls end).
    public var sequence = 0
    /// Made inside `unidesk.volatile`: not compared with a saved plan.
    public var volatile = false
    /// For the call where apply found reality changed: what the plan saw and what is now.
    public var drift: DataValue?
    /// One call that carries many items (conn:exec_many's rows): how many, and what they are.
    public struct Batch: Sendable, Equatable {
        public let count: Int
        /// The items' noun, singular ("row"), for the console line.
        public let noun: String
        public init(count: Int, noun: String) {
            self.count = count
            self.noun = noun
        }
        /// "10000 rows", "1 row".
        public var text: String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
    }
    public var batch: Batch?
    /// True only when the effect really happened.
    public var performed: Bool { !planned && (outcome == .ok || outcome == .error) }
    /// True when the call ran in plan mode and was recorded instead of performed.
    public var planned: Bool

    public var json: DataValue {
        var f: [(String, DataValue)] = [
            ("primitive", .string(primitive)),
            ("capability", .string(capability)),
            ("effect", .string(effect.rawValue)),
            ("arguments", arguments),
            ("outcome", .string(outcome.rawValue)),
            ("mode", .string(planned ? "planned" : "performed")),
            ("duration_ms", .double((durationMs * 1000).rounded() / 1000)),
        ]
        if let target { f.append(("target", target)) }
        if let fingerprint { f.append(("fingerprint", .string(fingerprint))) }
        if let errorKind { f.append(("error_kind", .string(errorKind))) }
        if let message { f.append(("message", .string(message))) }
        if let detail { f.append(("detail", detail)) }
        if let verdict {
            f.append(("verdict", .string(verdict.name)))
            if case .change = verdict { f.append(("changes", .array(verdict.changes.map { .string($0) }))) }
        }
        if let grant { f.append(("grant", .string(grant))) }
        if volatile { f.append(("volatile", .bool(true))) }
        if let drift { f.append(("drift", drift)) }
        if let batch { f.append(("batch", .object([("count", .int(Int64(batch.count))), ("of", .string(batch.noun))]))) }
        return .object(f)
    }
}

/// Every gated call of a run, in order.
public final class AuditJournal: @unchecked Sendable {
    public private(set) var records: [AuditRecord] = []
    public init() {}
    func append(_ r: AuditRecord) { records.append(r) }
    public var planned: [AuditRecord] { records.filter { $0.outcome == .planned } }
    public var performedWrites: [AuditRecord] { records.filter { $0.effect == .write && $0.outcome == .ok } }
    public var denials: [AuditRecord] { records.filter { $0.outcome == .denied } }
}
