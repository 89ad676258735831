import UnideskData

/// `unidesk show PLAN`: the saved plan for a reviewer, as text (what `unidesk plan` printed),
/// Markdown (a merge-request comment) or JSON (for tools).
extension SavedPlan {
    public enum ShowFormat: String, CaseIterable, Sendable {
        case text, markdown, json
    }

    var summary: PlanSummary { PlanSummary(audit: calls.map(\.auditRecord), exitCode: exitCode) }

    /// Writes as a reviewer reads them: every planned write, unchanged ones included.
    var effects: [PlanCall] { calls.filter { $0.effect == .write && $0.outcome != "denied" } }

    public func show(_ format: ShowFormat) -> String {
        switch format {
        case .text: return textLines().joined(separator: "\n") + "\n"
        case .markdown: return markdown()
        case .json: return ((try? JSON.encode(showJSON, options: .init(pretty: true, sortKeys: false))) ?? "{}") + "\n"
        }
    }

    private var varsText: String {
        vars.isEmpty ? "none" : vars.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }

    private var grantsText: String {
        let allow = policy["allow"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let deny = policy["deny"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var parts = allow.map { "--allow '\($0)'" } + deny.map { "--deny '\($0)'" }
        for (key, flag) in [("env", "--env"), ("secret_env", "--secret-env")] {
            parts += (policy[key]?.arrayValue?.compactMap(\.stringValue) ?? []).map { "\(flag) \($0)" }
        }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }

    func textLines() -> [String] {
        var out = [
            "Plan of \(Console.sanitize(recipe)) (unidesk \(unideskVersion), made \(createdAt))",
            "  recipe digest: \(recipeDigest) (\(PlanSummary.plural(files.count, "file")))",
            "  vars:   \(Console.sanitize(varsText))",
            "  grants: \(Console.sanitize(grantsText))",
        ]
        out += summary.lines()
        if let why = notApplicable { out.append("This plan cannot be applied: \(why).") }
        return out
    }

    func markdown() -> String {
        var out = ["### unidesk plan: `\(Self.code(recipe))`", ""]
        let s = summary
        out.append("**\(Self.cell(s.summaryLine))**")
        out.append("")
        let rows = effects
        if !rows.isEmpty {
            out.append("| | Effect | Target | Details |")
            out.append("|---|---|---|---|")
            for c in rows {
                let (mark, label) = Self.label(c)
                var details = c.verdict?.changes ?? []
                if details.isEmpty, let d = c.outcome.hasPrefix("error") ? c.message : c.detail?.stringValue { details = [d] }
                out.append("| \(mark) | \(label) | `\(Self.code(c.capability))` | \(details.map(Self.cell).joined(separator: "<br>")) |")
            }
            out.append("")
        }
        if let why = notApplicable { out.append("> **This plan cannot be applied:** \(Self.cell(why)).") ; out.append("") }
        out.append("<sub>recipe digest `\(recipeDigest)` · vars: \(Self.cell(varsText)) · grants: \(Self.cell(grantsText)) · unidesk \(unideskVersion) · plan digest `\(digest ?? "?")`</sub>")
        return out.joined(separator: "\n") + "\n"
    }

    var showJSON: DataValue {
        .object([
            ("recipe", .string(recipe)),
            ("recipe_digest", .string(recipeDigest)),
            ("plan_digest", .string(digest ?? "")),
            ("unidesk_version", .string(unideskVersion)),
            ("created_at", .string(createdAt)),
            ("status", .string(exitCode.status)),
            ("applicable", .bool(notApplicable == nil)),
            ("no_changes", .bool(summary.noChanges)),
            ("vars", .object(vars.map { ($0.0, .string($0.1)) })),
            ("policy", policy),
            ("summary", summary.countsJSON),
            ("effects", .array(effects.map { e in
                var f: [(String, DataValue)] = [("primitive", .string(e.primitive)), ("capability", .string(e.capability))]
                if let t = e.target { f.append(("target", t)) }
                f.append(("verdict", .string(e.outcome.hasPrefix("error") ? "fails" : (e.verdict?.name ?? "unverified"))))
                if let v = e.verdict, case .change(let ch) = v { f.append(("changes", .array(ch.map { .string($0) }))) }
                if let d = e.detail { f.append(("detail", d)) }
                if let m = e.message { f.append(("message", .string(m))) }
                return .object(f)
            })),
        ])
    }

    static func label(_ c: PlanCall) -> (String, String) {
        let a = PlanSummary.appearance(c.verdict, failed: c.outcome.hasPrefix("error"))
        return (a.mark, a.label)
    }

    /// Text for a Markdown table cell: no pipe, no newline, no HTML a comment would render.
    static func cell(_ s: String) -> String {
        Console.sanitize(s).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\n", with: " ")
    }

    /// Text inside a code span: no backtick can end it early.
    static func code(_ s: String) -> String {
        Console.sanitize(s).replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "|", with: "\\|")
    }
}
