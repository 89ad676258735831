import LuaRuntime
import UnideskData

/// What `unidesk apply` compares as the recipe runs again: each read before the first
/// write with the read the plan made at that point, each write with the plan's next write
/// (what it touches, its arguments, and the basis its verdict rested on). The first
/// difference is drift: it is raised where it is found, and every later write is refused
/// without being performed, caught or not.
final class DriftCheck {
    /// Where apply found reality changed, for the error, the report and the summary.
    struct Drift {
        let capability: String
        let reason: String
        let plan: DataValue?
        let now: DataValue?

        var message: String { "drift at \(capability): \(reason)" }

        var json: DataValue {
            var f: [(String, DataValue)] = [("capability", .string(capability)), ("reason", .string(reason))]
            if let plan { f.append(("plan", plan)) }
            if let now { f.append(("now", now)) }
            return .object(f)
        }

        var error: HostError {
            .structured(kind: "drift", message: message, fields: [("capability", .string(capability))])
        }
    }

    /// Reads the plan made before its first write, in order (calls inside unidesk.volatile
    /// left out): until it writes, a run of the same recipe must read the same.
    let reads: [PlanCall]
    /// Every write of the plan in order, volatile ones left out.
    let writes: [PlanCall]
    private var readCursor = 0
    private(set) var writeCursor = 0
    /// Once the run has written, what it reads may be its own doing (a health check of the
    /// container it recreated): reads are no longer compared.
    private var wrote = false
    /// What this run has written, by family and scope: a later write that touches the same
    /// (kube.delete after kube.apply of one object, compose.down after compose.up of the
    /// project) rests on this run's own effect, not on what the plan saw, so its basis is
    /// not compared.
    private var written: [(family: String, scope: String)] = []
    private(set) var drift: Drift?
    /// Writes performed inside unidesk.volatile: apply lists them apart.
    private(set) var volatileWrites: [String] = []

    init(plan: SavedPlan) {
        let calls = plan.calls.filter { !$0.volatile }
        let firstWrite = plan.calls.firstIndex { $0.effect == .write } ?? plan.calls.count
        reads = plan.calls[..<firstWrite].filter { !$0.volatile && $0.effect != .write && $0.effect != .pure }
        writes = calls.filter { $0.effect == .write }
    }

    /// Planned writes the run did not reach.
    var unreached: ArraySlice<PlanCall> { writes[min(writeCursor, writes.count)...] }

    private func fail(_ d: Drift) -> HostError {
        if drift == nil { drift = d }
        return d.error
    }

    func beforeWrite(_ r: AuditRecord) throws {
        if let drift {
            throw HostError.structured(kind: "drift", message: "\(r.capability) not performed: \(drift.message)",
                                       fields: [("capability", .string(r.capability))])
        }
        if r.volatile { return }
        if !wrote, readCursor < reads.count {
            let p = reads[readCursor]
            throw fail(Drift(capability: r.capability, reason: "the plan read \(p.capability) before this write; this run did not read it (the recipe took another path)",
                             plan: nil, now: nil))
        }
        guard writeCursor < writes.count else {
            throw fail(Drift(capability: r.capability, reason: "a write the plan does not contain (the plan's \(writes.count) writes were all performed)",
                             plan: nil, now: r.comparable))
        }
        let p = writes[writeCursor]
        guard p.primitive == r.primitive, p.capability == r.capability else {
            throw fail(Drift(capability: r.capability, reason: "a write the plan does not contain here: the plan's next write is \(p.capability) (\(p.primitive))",
                             plan: .string(p.capability), now: .string(r.capability)))
        }
        if let now = r.comparable, !Self.covers(p.arguments, now) {
            throw fail(Drift(capability: r.capability, reason: "its arguments differ from the plan's", plan: p.arguments, now: now))
        }
        if !wroteBefore(r), !Self.same(p.basis, r.basis) {
            let fields = Self.changedFields(p.basis, r.basis)
            throw fail(Drift(capability: r.capability,
                             reason: "what it would change is not what the plan saw" + (fields.isEmpty ? "" : " (\(fields.joined(separator: ", ")) changed)"),
                             plan: p.basis, now: r.basis))
        }
        writeCursor += 1
    }

    /// A write was performed (or attempted: a failed one may have changed something).
    func performed(_ r: AuditRecord) {
        wrote = true
        written.append(Self.place(r))
        if r.volatile { volatileWrites.append(r.capability) }
    }

    func afterRead(_ r: AuditRecord) throws {
        if r.volatile || wrote { return }
        guard readCursor < reads.count else {
            throw fail(Drift(capability: r.capability, reason: "a read the plan did not make before its first write (the recipe took another path)",
                             plan: nil, now: r.seen))
        }
        let p = reads[readCursor]
        readCursor += 1
        guard p.primitive == r.primitive, p.capability == r.capability, Self.same(p.arguments, r.comparable ?? r.arguments) else {
            throw fail(Drift(capability: r.capability, reason: "the plan read \(p.capability) here (the recipe took another path)",
                             plan: .string(p.capability), now: .string(r.capability)))
        }
        let nowOutcome = r.outcome == .ok ? "ok" : "error" + (r.errorKind.map { ": \($0)" } ?? "")
        if p.outcome != nowOutcome {
            throw fail(Drift(capability: r.capability, reason: "it \(nowOutcome == "ok" ? "succeeds" : "fails") now; in the plan it \(p.outcome == "ok" ? "succeeded" : "failed (\(p.outcome))")",
                             plan: .string(p.outcome), now: .string(nowOutcome + (r.message.map { " (\($0))" } ?? ""))))
        }
        if p.fingerprint != r.fingerprint {
            throw fail(Drift(capability: r.capability, reason: "what it reads changed since the plan",
                             plan: p.seen ?? p.fingerprint.map(DataValue.string), now: r.seen ?? r.fingerprint.map(DataValue.string)))
        }
    }

    /// Equal as data, whatever the order of an object's keys (a Lua table's is not stable
    /// from one run to the next).
    static func same(_ a: DataValue?, _ b: DataValue?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a.canonicalJSON == b.canonicalJSON
    }

    /// A call's family ("kube" of unidesk.kube.apply) and capability scope ("ns/ConfigMap/x").
    static func place(_ r: AuditRecord) -> (family: String, scope: String) {
        let parts = r.primitive.split(separator: ".")
        let family = parts.count >= 2 ? String(parts[parts.count - 2]) : r.primitive
        let scope = r.capability.firstIndex(of: ":").map { String(r.capability[r.capability.index(after: $0)...]) } ?? r.capability
        return (family, scope)
    }

    private func wroteBefore(_ r: AuditRecord) -> Bool {
        let here = Self.place(r)
        return written.contains { $0.family == here.family && Self.overlap($0.scope, here.scope) }
    }

    /// Whether two scopes name the same thing or one contains the other: a project and one
    /// of its services ("P/*", "P/web"), an app and one of its volumes ("shop", "shop/data").
    static func overlap(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        func within(_ wide: String, _ narrow: String) -> Bool {
            narrow.hasPrefix(wide + "/") || (wide.hasSuffix("/*") && narrow.hasPrefix(String(wide.dropLast())))
        }
        return within(a, b) || within(b, a) || a == "*" || b == "*"
    }

    /// The top-level fields where two bases differ ("registry_digest"), for the reason.
    static func changedFields(_ a: DataValue?, _ b: DataValue?) -> [String] {
        guard case .object(let x)? = a, case .object(let y)? = b else { return [] }
        let keys = (x.map(\.0) + y.map(\.0).filter { k in !x.contains { $0.0 == k } })
        return keys.filter { k in !same(x.first { $0.0 == k }?.1, y.first { $0.0 == k }?.1) }
    }

    /// Whether the run's arguments are the plan's: equal wherever the plan knew the value.
    /// A null in the plan, or a `{planned = true, unknown = true}` result it passed on, is a
    /// value only the run can know (the new container's digest): anything matches it, and
    /// fields the plan did not have at all may be filled in.
    static func covers(_ planned: DataValue, _ actual: DataValue) -> Bool {
        switch (planned, actual) {
        case (.null, _): return true
        case (.object(let p), _) where isUnknownResult(p): return true
        case (.object(let p), .object(let a)):
            return p.allSatisfy { k, v in covers(v, a.first(where: { $0.0 == k })?.1 ?? .null) }
        case (.array(let p), .array(let a)):
            return p.count == a.count && zip(p, a).allSatisfy { covers($0, $1) }
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y
        default: return planned == actual
        }
    }

    private static func isUnknownResult(_ fields: [(String, DataValue)]) -> Bool {
        fields.contains { $0.0 == "unknown" && $0.1 == .bool(true) } && fields.contains { $0.0 == "planned" && $0.1 == .bool(true) }
    }
}
