import Testing
@testable import UnideskCore
import UnideskData

/// The printed plan, from audit records as the gate writes them (no stack needed).
@Suite struct PlanSummaryTests {
    func write(_ capability: String, _ verdict: Verdict?, detail: String? = nil, outcome: AuditRecord.Outcome = .planned,
               message: String? = nil) -> AuditRecord {
        var r = AuditRecord(primitive: "unidesk.\(capability.split(separator: ":")[0])", capability: capability, effect: .write,
                            arguments: .array([]), outcome: outcome, durationMs: 1, planned: true)
        r.verdict = verdict
        r.detail = detail.map { .string($0) }
        r.message = message
        return r
    }

    func denied(_ capability: String, grant: String?, message: String) -> AuditRecord {
        var r = AuditRecord(primitive: "unidesk.fs.write", capability: capability, effect: .write,
                            arguments: .array([]), outcome: .denied, durationMs: 0, planned: false)
        r.grant = grant
        r.message = message
        return r
    }

    func offlineRead(_ capability: String) -> AuditRecord {
        var r = AuditRecord(primitive: "unidesk.registry.head", capability: capability, effect: .read,
                            arguments: .array([]), outcome: .planned, durationMs: 0, planned: true)
        r.verdict = .unknown
        return r
    }

    @Test func everyVerdictIsListedWithItsFieldsAndCounted() {
        let audit = [
            write("kube.apply:shop/ConfigMap/new", .create),
            write("kube.apply:shop/ConfigMap/kept", .change(["data.extra: added \"x\"", "data.k: \"1\" → \"2\""])),
            write("kube.apply:shop/ConfigMap/same", .unchanged),
            write("compose.recreate:shop/web", .replace, detail: "pull app:v2, then recreate web"),
            write("kube.delete:shop/ConfigMap/old", .delete),
            write("pg.exec:app@app", .unverified, detail: "unverifiable: CREATE INDEX CONCURRENTLY cannot run inside a transaction"),
        ]
        let s = PlanSummary(audit: audit, exitCode: .ok)
        #expect(s.lines() == [
            "Planned effects:",
            "  + create     kube.apply:shop/ConfigMap/new",
            "  ~ change     kube.apply:shop/ConfigMap/kept",
            "      data.extra: added \"x\"",
            "      data.k: \"1\" → \"2\"",
            "  ± replace    compose.recreate:shop/web: pull app:v2, then recreate web",
            "  - delete     kube.delete:shop/ConfigMap/old",
            "  ? unverified pg.exec:app@app: unverifiable: CREATE INDEX CONCURRENTLY cannot run inside a transaction",
            "Plan: 1 to create, 1 to change, 1 to replace, 1 to delete, 1 unchanged, 1 unverified.",
        ])
        #expect(!s.noChanges)
    }

    @Test func unchangedEffectsAreCountedNotListedAndSayNoChanges() {
        let audit = (1...59).map { write("kube.apply:shop/ConfigMap/c\($0)", .unchanged) }
        let s = PlanSummary(audit: audit, exitCode: .ok)
        #expect(s.noChanges)
        #expect(s.lines() == ["No changes. 59 planned effects unchanged."])
        #expect(PlanSummary(audit: [], exitCode: .ok).lines() == ["No changes. The recipe planned no effects."])
    }

    @Test func denialsAreListedApartWithTheGrantAndNeverReadAsNoChanges() {
        let audit = [
            denied("fs.write:out/a.txt", grant: "fs.write:out/a.txt", message: "a write needs a grant"),
            denied("fs.write:out/a.txt", grant: "fs.write:out/a.txt", message: "a write needs a grant"),
            denied("fs.write:prod/x", grant: nil, message: "matches the deny rule 'fs.write:prod/*'"),
        ]
        let s = PlanSummary(audit: audit, exitCode: .denied)
        #expect(!s.noChanges)
        #expect(s.lines() == [
            "Denied (would need --allow 'fs.write:out/a.txt'):",
            "  ! fs.write:out/a.txt  (unidesk.fs.write, 2 calls)",
            "Denied (matches the deny rule 'fs.write:prod/*'):",
            "  ! fs.write:prod/x  (unidesk.fs.write)",
            "Plan: 0 to create, 0 to change, 0 to replace, 0 to delete, 0 unchanged, 3 denied.",
            "The policy denies 3 calls: a run with these grants would stop there (exit 3).",
        ])
    }

    @Test func offlineReadsAreShownUnknownAndKeepThePlanFromSayingNoChanges() {
        let audit = [offlineRead("registry.head:127.0.0.1:5000/unidesk/app"), offlineRead("registry.head:127.0.0.1:5000/unidesk/app"),
                     write("fs.write:out/a.txt", .unchanged)]
        let s = PlanSummary(audit: audit, exitCode: .ok)
        #expect(!s.noChanges, "a decision may rest on a read that was not performed")
        #expect(s.lines() == [
            "Unknown (plan --offline performed no network read; each returned {planned = true, unknown = true}):",
            "  ? registry.head:127.0.0.1:5000/unidesk/app  (2 calls)",
            "Plan: 0 to create, 0 to change, 0 to replace, 0 to delete, 1 unchanged, 2 unknown reads.",
        ])
    }

    @Test func aFailedRecipeOrAFailingCheckIsNeverNoChanges() {
        let failed = PlanSummary(audit: [write("fs.write:out/a.txt", .unchanged)], exitCode: .recipeFailed)
        #expect(!failed.noChanges)
        #expect(failed.lines() == [
            "Plan: 0 to create, 0 to change, 0 to replace, 0 to delete, 1 unchanged.",
            "Plan incomplete: the recipe stopped (failed, exit 1); what it would have done after that is not listed.",
        ])
        let refused = PlanSummary(audit: [write("kube.apply:shop/ConfigMap/Bad", nil, outcome: .error, message: "invalid: metadata.name")],
                                  exitCode: .ok)
        #expect(refused.lines() == [
            "Planned effects:",
            "  ✗ fails      kube.apply:shop/ConfigMap/Bad: invalid: metadata.name",
            "Plan: 0 to create, 0 to change, 0 to replace, 0 to delete, 0 unchanged, 1 failing.",
        ])
    }

    @Test func aRecipeThatFailsBeforeAnyEffectPrintsNoCountsOnlyThatThereIsNoPlan() {
        for code in [ExitCode.recipeFailed, .usage, .limit] {
            let lines = PlanSummary(audit: [], exitCode: code).lines()
            #expect(lines == ["Plan incomplete: the recipe stopped (\(code.status), exit \(code.rawValue)) before it planned any effect; what it would have done is not listed."])
        }
        // An unknown read or a denial is something to show: the counts stay.
        let unknown = PlanSummary(audit: [offlineRead("registry.head:r/x")], exitCode: .recipeFailed).lines()
        #expect(unknown.contains("Plan: 0 to create, 0 to change, 0 to replace, 0 to delete, 0 unchanged, 1 unknown read."))
        #expect(unknown.last == "Plan incomplete: the recipe stopped (failed, exit 1); what it would have done after that is not listed.")
    }

    @Test func eachPlannedCallsLineCarriesItsVerdictAsThePlanSaysIt() {
        #expect(PlanSummary.verdictNote(write("fs.write:a", .create)) == "create")
        #expect(PlanSummary.verdictNote(write("kube.apply:shop/Deployment/web", .unchanged)) == "unchanged")
        #expect(PlanSummary.verdictNote(write("kube.apply:shop/Deployment/web",
                                              .change(["spec.replicas: 1 → 3", "data.extra: added \"x\""]))) == "change: spec.replicas, data.extra")
        #expect(PlanSummary.verdictNote(write("pg.exec:app@app", .change(["UPDATE 3"]))) == "change: UPDATE 3")
        #expect(PlanSummary.verdictNote(write("compose.recreate:shop/web", .replace, detail: "pull app:v2, then recreate web")) == "replace: pull app:v2, then recreate web")
        #expect(PlanSummary.verdictNote(offlineRead("registry.head:r/x")) == "unknown")
        #expect(PlanSummary.verdictNote(denied("fs.write:a", grant: "fs.write:a", message: "")) == nil)
    }

    @Test func scriptTextCannotDriveTheTerminal() {
        let s = PlanSummary(audit: [write("fs.write:a\u{1B}[2Jb", .create)], exitCode: .ok)
        #expect(s.lines()[1] == "  + create     fs.write:a\\x1b[2Jb")
    }

    @Test func theReportCarriesVerdictChangesAndGrant() {
        let change = write("state.set:shop/last-good", .change(["version: \"1\" → \"2\""])).json
        #expect(change["verdict"] == .string("change"))
        #expect(change["changes"] == .array([.string("version: \"1\" → \"2\"")]))
        #expect(write("fs.write:a", .create).json["changes"] == nil)
        #expect(offlineRead("registry.head:r/x").json["verdict"] == .string("unknown"))
        #expect(denied("fs.write:a", grant: "fs.write:a", message: "").json["grant"] == .string("fs.write:a"))
    }
}
