import UnideskData

/// What `unidesk apply` did with the plan: how many of its writes it performed, where it
/// found drift, which planned writes it never reached, and which writes it made outside
/// the plan (inside unidesk.volatile). Printed at the end and kept in the report (`apply`).
public struct ApplyOutcome: Sendable {
    public let planDigest: String
    public let planned: Int
    public let performed: Int
    public let drift: DataValue?
    public let unreached: [PlanCall]
    public let volatileWrites: [String]

    init(plan: SavedPlan, check: DriftCheck) {
        planDigest = plan.digest ?? "?"
        planned = check.writes.count
        performed = check.writeCursor
        drift = check.drift?.json
        unreached = Array(check.unreached)
        volatileWrites = check.volatileWrites
    }

    public var json: DataValue {
        var f: [(String, DataValue)] = [
            ("plan_digest", .string(planDigest)),
            ("planned_writes", .int(Int64(planned))),
            ("performed_writes", .int(Int64(performed))),
        ]
        if let drift { f.append(("drift", drift)) }
        f.append(("unreached", .array(unreached.map { c in
            .object([("capability", .string(c.capability)), ("primitive", .string(c.primitive)),
                     ("verdict", .string(c.verdict?.name ?? "unverified"))])
        })))
        f.append(("volatile_writes", .array(volatileWrites.map { .string($0) })))
        return .object(f)
    }

    public func lines(paint: (String, Int) -> String = { s, _ in s }) -> [String] {
        var out: [String] = []
        if let drift {
            out.append(paint("Drift:", 31) + " " + Console.sanitize(drift["capability"]?.stringValue ?? "?") + ": " + Console.sanitize(drift["reason"]?.stringValue ?? ""))
            if case .object(let p)? = drift["plan"], case .object(let n)? = drift["now"] {
                // Field by field, so the one that changed is never the one cut off.
                for k in DriftCheck.changedFields(.object(p), .object(n)) {
                    out.append("  \(Console.sanitize(k)): plan saw \(Self.text(p.first { $0.0 == k }?.1 ?? .null)), now \(Self.text(n.first { $0.0 == k }?.1 ?? .null))")
                }
            } else {
                if let p = drift["plan"] { out.append("  plan saw: " + Self.text(p)) }
                if let n = drift["now"] { out.append("  now:      " + Self.text(n)) }
            }
            out.append("  Nothing was performed after this point. Make a new plan: what this one saw has changed (an earlier apply of it counts).")
        }
        if !unreached.isEmpty {
            out.append("Not reached (\(PlanSummary.plural(unreached.count, "planned effect")) not performed):")
            for c in unreached { out.append("  - \(Console.sanitize(c.capability)) (\(c.verdict?.name ?? "unverified"))") }
        }
        if !volatileWrites.isEmpty {
            var counts: [(String, Int)] = []
            for w in volatileWrites {
                if let i = counts.firstIndex(where: { $0.0 == w }) { counts[i].1 += 1 } else { counts.append((w, 1)) }
            }
            let listed = counts.prefix(10).map { "\(Console.sanitize($0.0))\($0.1 > 1 ? " (\($0.1)×)" : "")" }
            out.append("Performed outside the plan (inside unidesk.volatile): \(listed.joined(separator: ", "))\(counts.count > 10 ? ", and \(counts.count - 10) more" : "")")
        }
        out.append("Applied \(performed) of \(PlanSummary.plural(planned, "planned write")).")
        return out
    }

    static func text(_ d: DataValue) -> String {
        let s = d.canonicalJSON ?? "?"
        return Console.sanitize(s.count > 400 ? String(s.prefix(400)) + "…" : s)
    }
}
