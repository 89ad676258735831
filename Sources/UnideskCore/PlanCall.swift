import UnideskData

/// One gated call of a saved plan, in call order: what apply compares the run with.
public struct PlanCall: Sendable {
    public var primitive: String
    public var capability: String
    public var effect: EffectClass
    public var target: DataValue?
    /// The arguments in full (secrets masked, long strings as salted digests).
    public var arguments: DataValue
    /// "ok", "planned", or "error" / "error: <kind>".
    public var outcome: String
    /// Reads: the salted digest of the result, and its short form when it has one.
    public var fingerprint: String?
    public var seen: DataValue?
    /// Writes: what the verdict rests on, and the verdict.
    public var basis: DataValue?
    public var verdict: Verdict?
    public var detail: DataValue?
    public var message: String?
    public var volatile: Bool

    init(_ r: AuditRecord) {
        primitive = r.primitive
        capability = r.capability
        effect = r.effect
        target = r.target
        arguments = r.comparable ?? r.arguments
        outcome = Self.outcome(r)
        fingerprint = r.fingerprint
        seen = r.seen
        basis = r.basis
        verdict = r.effect == .write ? r.verdict : nil
        detail = r.detail
        message = r.outcome == .error ? r.message : nil
        volatile = r.volatile
    }

    static func outcome(_ r: AuditRecord) -> String {
        switch r.outcome {
        case .ok: return "ok"
        case .planned: return "planned"
        case .error: return "error" + (r.errorKind.map { ": \($0)" } ?? "")
        case .denied: return "denied"
        case .drift: return "drift"
        }
    }

    var json: DataValue {
        var f: [(String, DataValue)] = [
            ("primitive", .string(primitive)), ("capability", .string(capability)), ("effect", .string(effect.rawValue)),
        ]
        if let target { f.append(("target", target)) }
        f.append(("arguments", arguments))
        f.append(("outcome", .string(outcome)))
        if let fingerprint { f.append(("fingerprint", .string(fingerprint))) }
        if let seen { f.append(("seen", seen)) }
        if let basis { f.append(("basis", basis)) }
        if let verdict {
            f.append(("verdict", .string(verdict.name)))
            if case .change(let c) = verdict { f.append(("changes", .array(c.map { .string($0) }))) }
        }
        if let detail { f.append(("detail", detail)) }
        if let message { f.append(("message", .string(message))) }
        if volatile { f.append(("volatile", .bool(true))) }
        return .object(f)
    }

    init(json d: DataValue, index: Int) throws(SavedPlan.FileError) {
        func string(_ key: String) throws(SavedPlan.FileError) -> String {
            guard let s = d[key]?.stringValue else { throw .invalid("calls[\(index)].\(key) is missing or not a string") }
            return s
        }
        primitive = try string("primitive")
        capability = try string("capability")
        guard let e = EffectClass(rawValue: try string("effect")) else { throw .invalid("calls[\(index)].effect is not an effect class") }
        effect = e
        target = d["target"]
        arguments = d["arguments"] ?? .null
        outcome = try string("outcome")
        fingerprint = d["fingerprint"]?.stringValue
        seen = d["seen"]
        basis = d["basis"]
        if let name = d["verdict"]?.stringValue {
            guard let v = Verdict(name: name, changes: d["changes"]?.arrayValue?.compactMap(\.stringValue) ?? []) else {
                throw .invalid("calls[\(index)].verdict '\(name)' is not a verdict")
            }
            verdict = v
        }
        detail = d["detail"]
        message = d["message"]?.stringValue
        volatile = d["volatile"]?.boolValue ?? false
    }

    /// The call as an audit record, for the plan's printed summary (`unidesk show`).
    var auditRecord: AuditRecord {
        let o: AuditRecord.Outcome = outcome == "ok" ? .ok : outcome == "planned" ? .planned : outcome == "denied" ? .denied : .error
        var r = AuditRecord(primitive: primitive, capability: capability, effect: effect, arguments: arguments,
                            outcome: o, durationMs: 0, planned: effect == .write && o != .denied)
        r.target = target
        r.verdict = verdict
        r.detail = detail
        r.message = message
        r.volatile = volatile
        return r
    }
}

extension Verdict {
    /// The verdict a report or a plan file names.
    init?(name: String, changes: [String] = []) {
        switch name {
        case "create": self = .create
        case "change": self = .change(changes)
        case "unchanged": self = .unchanged
        case "replace": self = .replace
        case "delete": self = .delete
        case "unverified": self = .unverified
        case "unknown": self = .unknown
        default: return nil
        }
    }
}
