import UnideskData

/// The plan as `unidesk plan` prints it at the end, in the manner of `terraform plan`: each
/// write that would alter something with its verdict (and the fields a change touches), the
/// reads `--offline` did not perform, the denials apart with what would allow them, then one
/// line of counts, or "No changes." when nothing would change. Built from the audit journal
/// and the exit code, so the printed plan and the exit code cannot disagree.
public struct PlanSummary: Sendable {
    public struct Counts: Sendable, Equatable {
        public var create = 0, change = 0, replace = 0, delete = 0, unchanged = 0, unverified = 0
        /// Planned writes whose check failed (a dry run the server refused).
        public var failing = 0
        /// Reads `plan --offline` did not perform.
        public var unknown = 0
        public var denied = 0
        public init() {}
    }

    public let counts: Counts
    let writes: [AuditRecord]
    let unknownReads: [AuditRecord]
    let denials: [AuditRecord]
    let exitCode: ExitCode

    /// The counts as the plan file and `show --format json` write them.
    var countsJSON: DataValue {
        let c = counts
        return .object([
            ("create", .int(Int64(c.create))), ("change", .int(Int64(c.change))), ("replace", .int(Int64(c.replace))),
            ("delete", .int(Int64(c.delete))), ("unchanged", .int(Int64(c.unchanged))), ("unverified", .int(Int64(c.unverified))),
            ("failing", .int(Int64(c.failing))),
        ])
    }

    public init(audit: [AuditRecord], exitCode: ExitCode) {
        self.exitCode = exitCode
        writes = audit.filter { $0.planned && $0.effect == .write && ($0.outcome == .planned || $0.outcome == .error) }
        unknownReads = audit.filter { $0.outcome == .planned && $0.effect != .write }
        denials = audit.filter { $0.outcome == .denied }
        var c = Counts()
        for w in writes {
            if w.outcome == .error { c.failing += 1; continue }
            switch w.verdict ?? .unverified {
            case .create: c.create += 1
            case .change: c.change += 1
            case .replace: c.replace += 1
            case .delete: c.delete += 1
            case .unchanged: c.unchanged += 1
            case .unverified, .unknown: c.unverified += 1
            }
        }
        c.unknown = unknownReads.count
        c.denied = denials.count
        counts = c
    }

    /// True only when the plan shows that a run would change nothing: the recipe finished,
    /// nothing was denied, every planned write was checked and found unchanged, and no
    /// decision rested on a read that was not performed.
    public var noChanges: Bool {
        let c = counts
        return exitCode == .ok && c.create + c.change + c.replace + c.delete + c.unverified + c.failing + c.unknown + c.denied == 0
    }

    /// The printed plan. `paint(text, ansiColour)` colours on a terminal (identity in CI).
    public func lines(paint: (String, Int) -> String = { s, _ in s }) -> [String] {
        // A recipe that stopped before its first gated call has no plan: a line of zero
        // counts would only read like one.
        if exitCode != .ok && exitCode != .denied && writes.isEmpty && unknownReads.isEmpty && denials.isEmpty {
            return ["Plan incomplete: the recipe stopped (\(exitCode.status), exit \(exitCode.rawValue)) before it planned any effect; what it would have done is not listed."]
        }
        var out: [String] = []
        let shown = writes.filter { $0.outcome == .error || ($0.verdict ?? .unverified) != .unchanged }
        if !shown.isEmpty {
            out.append("Planned effects:")
            for w in shown { out += effectLines(w, paint: paint) }
        }
        if !unknownReads.isEmpty {
            out.append("Unknown (plan --offline performed no network read; each returned {planned = true, unknown = true}):")
            for (r, n) in Self.grouped(unknownReads) { out.append("  \(paint("?", 36)) \(Self.text(r.capability))\(Self.times(n))") }
        }
        for (reason, records) in denialGroups() {
            out.append(paint("Denied (\(reason)):", 31))
            for (r, n) in Self.grouped(records) { out.append("  \(paint("!", 31)) \(Self.text(r.capability))  (\(r.primitive)\(n > 1 ? ", \(n) calls" : ""))") }
        }
        out.append(summaryLine)
        if exitCode == .denied {
            out.append("The policy denies \(Self.plural(counts.denied, "call")): a run with these grants would stop there (exit \(exitCode.rawValue)).")
        } else if exitCode != .ok {
            out.append("Plan incomplete: the recipe stopped (\(exitCode.status), exit \(exitCode.rawValue)); what it would have done after that is not listed.")
        }
        return out
    }

    /// "No changes. …" or "Plan: 1 to create, 2 to change, 0 to replace, 0 to delete, 56 unchanged[, …]."
    public var summaryLine: String {
        let c = counts
        if noChanges {
            return c.unchanged == 0 ? "No changes. The recipe planned no effects."
                                    : "No changes. \(Self.plural(c.unchanged, "planned effect")) unchanged."
        }
        var parts = ["\(c.create) to create", "\(c.change) to change", "\(c.replace) to replace", "\(c.delete) to delete", "\(c.unchanged) unchanged"]
        if c.unverified > 0 { parts.append("\(c.unverified) unverified") }
        if c.failing > 0 { parts.append("\(c.failing) failing") }
        if c.unknown > 0 { parts.append(Self.plural(c.unknown, "unknown read")) }
        if c.denied > 0 { parts.append("\(c.denied) denied") }
        return "Plan: " + parts.joined(separator: ", ") + "."
    }

    /// A planned call's verdict on its `[plan]` line, as the plan at the end says it:
    /// "create", "change: data.k, spec.replicas" (the fields), "unverified: <why>",
    /// "replace: <what>", "unknown" for a read `--offline` did not perform.
    static func verdictNote(_ r: AuditRecord) -> String? {
        guard let verdict = r.verdict else { return nil }
        switch verdict {
        case .change(let changes):
            // "data.k: \"1\" → \"2\"" names the field data.k; a pg command tag is its own name.
            let fields = changes.map { c in c.range(of: ": ").map { String(c[..<$0.lowerBound]) } ?? c }
            return fields.isEmpty ? "change" : "change: " + fields.joined(separator: ", ")
        case .unknown:
            return "unknown"
        default:
            return verdict.name + (r.detail?.stringValue.map { ": " + $0 } ?? "")
        }
    }

    // MARK: parts

    /// How a planned write is shown: its mark, its label and the colour of both; a write
    /// whose check failed is "fails" whatever its verdict.
    static func appearance(_ verdict: Verdict?, failed: Bool) -> (mark: String, label: String, colour: Int) {
        if failed { return ("✗", "fails", 31) }
        switch verdict ?? .unverified {
        case .create: return ("+", "create", 32)
        case .change: return ("~", "change", 33)
        case .replace: return ("±", "replace", 35)
        case .delete: return ("-", "delete", 31)
        case .unchanged: return ("=", "unchanged", 2)
        case .unverified, .unknown: return ("?", "unverified", 36)
        }
    }

    private func effectLines(_ w: AuditRecord, paint: (String, Int) -> String) -> [String] {
        let (mark, label, colour) = Self.appearance(w.verdict, failed: w.outcome == .error)
        let padded = label + String(repeating: " ", count: max(0, 10 - label.count))
        // What the verdict does not already say: why it fails or is unverified, which image.
        var note = w.outcome == .error ? w.message : w.detail?.stringValue
        if case .change = w.verdict { note = nil }
        var lines = ["  \(paint(mark + " " + padded, colour)) \(Self.text(w.capability))\(note.map { ": " + Self.text($0) } ?? "")"]
        for field in w.verdict?.changes ?? [] where w.outcome != .error { lines.append("      " + Self.text(field)) }
        return lines
    }

    /// Denials by what would allow them, in the order first met.
    private func denialGroups() -> [(String, [AuditRecord])] {
        var groups: [(String, [AuditRecord])] = []
        for d in denials {
            let reason = d.grant.map { "would need --allow '\($0)'" } ?? (d.message.map { Self.text($0) } ?? "refused")
            if let i = groups.firstIndex(where: { $0.0 == reason }) { groups[i].1.append(d) } else { groups.append((reason, [d])) }
        }
        return groups
    }

    /// Records by capability, in first-seen order, with how many calls each stands for.
    static func grouped(_ records: [AuditRecord]) -> [(AuditRecord, Int)] {
        var out: [(AuditRecord, Int)] = []
        for r in records {
            if let i = out.firstIndex(where: { $0.0.capability == r.capability }) { out[i].1 += 1 } else { out.append((r, 1)) }
        }
        return out
    }

    static func times(_ n: Int) -> String { n > 1 ? "  (\(n) calls)" : "" }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    /// Capabilities and details carry script-supplied text: it cannot drive the terminal.
    static func text(_ s: String) -> String { Console.sanitize(s) }
}
