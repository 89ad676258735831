import Foundation
import UnideskData

/// Everything a run produced, for --report (JSON) and --junit (XML).
public struct RunReport: Sendable {
    public var recipe: String
    public var mode: RunMode
    public var exitCode: ExitCode
    public var startedAt: Date
    public var durationMs: Double
    public var steps: [StepRecord]
    public var audit: [AuditRecord]
    public var outputs: [(String, DataValue)]
    public var error: (message: String, kind: String?, traceback: String?)?
    public var memoryPeakBytes: Int

    public static let schemaVersion = 1

    /// The report with every known secret masked in its strings, before any encoding (a
    /// secret escaped for JSON or XML no longer matches its raw text).
    func scrubbed(by r: Redactor) -> RunReport {
        var c = self
        c.recipe = r.scrub(recipe)
        c.steps = steps.map { s in
            var s = s
            s = StepRecord(name: r.scrub(s.name), depth: s.depth, status: s.status, durationMs: s.durationMs,
                           error: s.error.map(r.scrub), errorKind: s.errorKind, traceback: s.traceback.map(r.scrub))
            return s
        }
        c.outputs = outputs.map { (r.scrub($0.0), r.scrub($0.1)) }
        c.error = error.map { (r.scrub($0.message), $0.kind, $0.traceback.map(r.scrub)) }
        return c
    }

    public var json: DataValue {
        var f: [(String, DataValue)] = [
            ("schema", .int(Int64(Self.schemaVersion))),
            ("recipe", .string(recipe)),
            ("mode", .string(mode.name)),
            ("status", .string(exitCode.status)),
            ("exit_code", .int(Int64(exitCode.rawValue))),
            ("started_at", .string(ISO8601DateFormatter().string(from: startedAt))),
            ("duration_ms", .double(round3(durationMs))),
            ("memory_peak_bytes", .int(Int64(memoryPeakBytes))),
            ("steps", .array(steps.map(Self.stepJSON))),
            ("effects", .object([
                ("planned", .array(audit.filter { $0.outcome == .planned }.map(\.json))),
                ("performed", .array(audit.filter { $0.effect == .write && $0.performed }.map(\.json))),
                ("denied", .array(audit.filter { $0.outcome == .denied }.map(\.json))),
            ])),
            ("audit", .array(audit.map(\.json))),
            ("outputs", .object(outputs)),
        ]
        if let e = error {
            var ef: [(String, DataValue)] = [("message", .string(e.message))]
            if let k = e.kind { ef.append(("kind", .string(k))) }
            if let t = e.traceback { ef.append(("traceback", .string(t))) }
            f.append(("error", .object(ef)))
        }
        return .object(f)
    }

    static func stepJSON(_ s: StepRecord) -> DataValue {
        var f: [(String, DataValue)] = [
            ("name", .string(s.name)),
            ("depth", .int(Int64(s.depth))),
            ("status", .string(s.status.rawValue)),
            ("duration_ms", .double(round3(s.durationMs))),
        ]
        if let e = s.error { f.append(("error", .string(e))) }
        if let k = s.errorKind { f.append(("error_kind", .string(k))) }
        return .object(f)
    }

    /// JUnit XML: one testsuite for the recipe, one testcase per step. A run without steps
    /// is one testcase named after the recipe, so CI always shows the outcome.
    public var junit: String {
        var cases: [(name: String, seconds: Double, failure: String?, kind: String?)] =
            steps.map { ($0.name, $0.durationMs / 1000, $0.status == .ok ? nil : ($0.error ?? $0.status.rawValue), $0.errorKind) }
        if cases.isEmpty {
            cases = [(recipe, durationMs / 1000, exitCode == .ok ? nil : (error?.message ?? exitCode.status), error?.kind)]
        } else if exitCode != .ok && !cases.contains(where: { $0.failure != nil }) {
            cases.append(("(recipe)", durationMs / 1000, error?.message ?? exitCode.status, error?.kind))
        }
        let failures = cases.filter { $0.failure != nil }.count
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<testsuites tests=\"\(cases.count)\" failures=\"\(failures)\" time=\"\(fmt(durationMs / 1000))\">\n"
        x += "  <testsuite name=\"\(xml(recipe))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(fmt(durationMs / 1000))\">\n"
        for c in cases {
            x += "    <testcase classname=\"\(xml(recipe))\" name=\"\(xml(c.name))\" time=\"\(fmt(c.seconds))\""
            if let f = c.failure {
                x += ">\n      <failure message=\"\(xml(f))\" type=\"\(xml(c.kind ?? "error"))\">\(xml(f))</failure>\n    </testcase>\n"
            } else {
                x += "/>\n"
            }
        }
        x += "  </testsuite>\n</testsuites>\n"
        return x
    }

    private func fmt(_ s: Double) -> String { String(format: "%.3f", s) }

    private func xml(_ s: String) -> String {
        var o = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "\n", "\t": o.unicodeScalars.append(u)
            default:
                // XML 1.0 forbids most control characters even escaped.
                if u.value < 0x20 { o += "?" } else { o.unicodeScalars.append(u) }
            }
        }
        return o
    }
}

private func round3(_ d: Double) -> Double { (d * 1000).rounded() / 1000 }
