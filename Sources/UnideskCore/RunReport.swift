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
    /// The step the run's error came out of (the innermost one), an index into `steps`;
    /// nil when the run succeeded or failed outside every step. See `failureOrigin`.
    public var failedStep: Int?
    /// A *_test.lua file run by `unidesk test`: its test cases are the `it`s.
    public var isTestFile = false
    /// `unidesk apply`: what it did with the plan.
    public var apply: ApplyOutcome?
    /// What the recipe set through unidesk.metrics, and the grouping labels it asked for.
    public var metrics: [RecipeMetric] = []
    public var metricsGroup: [RecipeMetric.Label] = []
    /// The push to a Pushgateway at the end of the run (nil: none configured, or a plan).
    public var metricsPush: MetricsPushOutcome?

    public static let schemaVersion = 1

    /// The report with every known secret masked in its strings, before any encoding (a
    /// secret escaped for JSON or XML no longer matches its raw text).
    func scrubbed(by r: Redactor) -> RunReport {
        var c = self
        c.recipe = r.scrub(recipe)
        c.steps = steps.map { s in
            var s = s
            s.name = r.scrub(s.name)
            s.error = s.error.map(r.scrub)
            s.traceback = s.traceback.map(r.scrub)
            s.skipReason = s.skipReason.map(r.scrub)
            s.attempts = s.attempts.map { var a = $0; a.error = a.error.map(r.scrub); return a }
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
        if let apply { f.append(("apply", apply.json)) }
        if !metrics.isEmpty || metricsPush != nil {
            var m: [(String, DataValue)] = [("recipe", .array(metrics.map(\.json)))]
            if let p = metricsPush { m.append(("push", p.json)) }
            f.append(("metrics", .object(m)))
        }
        if let e = error {
            var ef: [(String, DataValue)] = [("message", .string(e.message))]
            if let k = e.kind { ef.append(("kind", .string(k))) }
            if let t = e.traceback { ef.append(("traceback", .string(t))) }
            if let i = failedStep, steps.indices.contains(i) { ef.append(("step", .string(stepPath(i)))) }
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
        if let r = s.skipReason { f.append(("reason", .string(r))) }
        if s.isTest { f.append(("test", .bool(true))) }
        if !s.attempts.isEmpty {
            f.append(("attempts", .array(s.attempts.map { a in
                var af: [(String, DataValue)] = [("status", .string(a.status.rawValue)), ("duration_ms", .double(round3(a.durationMs)))]
                if let e = a.error { af.append(("error", .string(e))) }
                if let k = a.errorKind { af.append(("error_kind", .string(k))) }
                return .object(af)
            })))
        }
        return .object(f)
    }

    /// JUnit XML of this run alone: one testsuite (see `junitSuite`).
    public var junit: String {
        JUnit.document(name: "unidesk \(mode.name)", seconds: durationMs / 1000, suites: [junitSuite])
    }
}

private func round3(_ d: Double) -> Double { (d * 1000).rounded() / 1000 }
