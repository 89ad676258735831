import Foundation
import Testing
@testable import UnideskCore
import UnideskData
import UnideskPostgres

/// `unidesk plan` must never harm the database it verifies against: a planned write waits a
/// bounded time for another session's lock, and what a rollback cannot undo is not run.
@Suite(.serialized) struct PostgresPlanSafetyTests {
    let table = "t_plan_\(UUID().uuidString.prefix(8).lowercased())"

    func dsn() throws -> String { try stackValue("UNIDESK_PG_ADMIN_DSN") }

    /// `lua` after `local pg = require "unidesk.pg"`, with the DSN as the secret env DSN.
    func recipe(_ lua: String, mode: RunMode = .run) throws -> RunReport {
        let t = try TempRecipe(["recipe.lua": "local pg = require \"unidesk.pg\"\n" + lua])
        return try t.run(mode, allow: ["pg.*"], env: ["DSN": try dsn()], secretEnv: ["DSN"], timeout: 30)
    }

    func outputs(_ r: RunReport) -> [String: DataValue] { Dictionary(uniqueKeysWithValues: r.outputs) }

    func admin() throws -> PGConnection { try PGConnection.connect(try dsn(), timeout: 10) }

    func scalar(_ sql: String, _ parameters: [PGValue]? = nil) throws -> PGValue {
        let c = try admin()
        defer { c.close() }
        return try c.execute(sql, parameters: parameters, timeout: 10).last?.rows.first?.first ?? .null
    }

    func columns() throws -> PGValue {
        try scalar("select count(*) from information_schema.columns where table_name = $1", [.text(table)])
    }

    func drop() { _ = try? scalar("drop table if exists \(table)") }

    @Test func aPlannedAlterOnALockedTableIsNotVerifiedAndTheLockStaysHeld() throws {
        _ = try scalar("create table \(table) (id int)")
        defer { drop() }
        let holder = try admin()
        defer { holder.close() }
        try holder.begin(timeout: 10)
        _ = try holder.execute("lock table \(table) in access exclusive mode", timeout: 10)
        let pid = try holder.execute("select pg_backend_pid()", timeout: 10).last?.rows.first?.first ?? .null

        let plan = try recipe("""
            local conn = pg.connect(unidesk.env("DSN"), { plan_lock_timeout = 0.5 })
            local function seen(v) return { tostring(v.planned), tostring(v.verified), v.reason } end
            unidesk.output("connection", seen(conn:exec("ALTER TABLE \(table) ADD COLUMN a text")))
            unidesk.output("call", seen(conn:exec("ALTER TABLE \(table) ADD COLUMN b text", nil, { plan_lock_timeout = 0.2 })))
            conn:tx(function(c)
              unidesk.output("tx", seen(c:exec("ALTER TABLE \(table) ADD COLUMN c text")))
              unidesk.output("tx_goes_on", c:exec("SELECT 1 AS one").rows[1].one)
            end)
            unidesk.output("script", seen(conn:script("ALTER TABLE \(table) ADD COLUMN d text;", { name = "004_d.up.sql" })))
            local default = pg.connect(unidesk.env("DSN"))
            unidesk.output("default", seen(default:exec("ALTER TABLE \(table) ADD COLUMN e text")))
            """, mode: .plan(offline: false))
        #expect(plan.exitCode == .ok, "\(plan.error?.message ?? "")")
        let out = outputs(plan)
        func reason(_ key: String) -> String { out[key]?.arrayValue?.last?.stringValue ?? "" }
        for key in ["connection", "call", "tx", "script", "default"] {
            #expect(out[key]?.arrayValue?.prefix(2).map(\.stringValue) == ["true", "false"], "\(key): \(String(describing: out[key]))")
            #expect(reason(key).hasPrefix("not verified: lock not available ("), "\(key): \(reason(key))")
        }
        #expect(reason("connection").contains("plan_lock_timeout = 0.5 s"), "the connection's limit")
        #expect(reason("call").contains("plan_lock_timeout = 0.2 s"), "the call's own limit wins")
        #expect(reason("tx").contains("plan_lock_timeout = 0.5 s"))
        #expect(reason("script").contains("(statement 1 of 004_d.up.sql, line 1)"))
        #expect(reason("default").contains("plan_lock_timeout = 2 s"), "the documented default")
        #expect(out["tx_goes_on"] == .int(1))

        // The report: each ALTER planned, unverified, with the reason as its detail.
        let alters = plan.audit.filter { $0.effect == .write && ($0.arguments.arrayValue?.first?.stringValue?.hasPrefix("ALTER") ?? false) }
        #expect(alters.count == 4)
        #expect(alters.allSatisfy { $0.planned && $0.verdict == .unverified && ($0.detail?.stringValue?.hasPrefix("not verified: lock not available (") ?? false) })
        let printed = PlanSummary(audit: plan.audit, exitCode: plan.exitCode).lines()
        #expect(printed.contains { $0.hasPrefix("  ? unverified pg.exec:unidesk_test@unidesk_admin: not verified: lock not available (") }, "\(printed)")

        // The other session still holds its lock, and the table is as it was.
        let held = try scalar("select count(*) from pg_locks where relation = $1::regclass and mode = 'AccessExclusiveLock' and granted and pid = $2",
                              [.text(table), pid])
        #expect(held == .int(1))
        #expect(holder.transactionState == .inTransaction)
        try holder.commit(rollback: false, timeout: 10)
        #expect(try columns() == .int(1))
    }

    @Test func withoutALockTheAlterIsVerifiedInAPlanAndRunsInARun() throws {
        _ = try scalar("create table \(table) (id int)")
        defer { drop() }
        let lua = """
            local conn = pg.connect(unidesk.env("DSN"))
            unidesk.output("alter", assert(conn:exec("ALTER TABLE \(table) ADD COLUMN note text")).command)
            """
        let plan = try recipe(lua, mode: .plan(offline: false))
        #expect(plan.exitCode == .ok, "\(plan.error?.message ?? "")")
        let write = plan.audit.first { $0.effect == .write }
        #expect(write?.verdict == .change(["ALTER TABLE"]) && write?.detail == .string("verified by rollback"))
        #expect(try columns() == .int(1), "the plan kept nothing")

        let run = try recipe(lua)
        #expect(run.exitCode == .ok, "\(run.error?.message ?? "")")
        #expect(outputs(run)["alter"] == .string("ALTER TABLE"))
        #expect(try columns() == .int(2))
    }

    @Test func aPlanDoesNotAdvanceSequencesAndARunDoes() throws {
        _ = try scalar("create table \(table) (id serial primary key, name text)")
        defer { drop() }
        let seq = try scalar("select pg_get_serial_sequence($1, 'id')", [.text(table)])
        guard case .text(let sequence) = seq else { Issue.record("no serial sequence: \(seq)"); return }
        let lastValue = "select last_value || ' ' || is_called from \(sequence)"
        let before = try scalar(lastValue)

        let plan = try recipe("""
            local conn = pg.connect(unidesk.env("DSN"))
            local ins = conn:exec("INSERT INTO \(table) (name) VALUES ($1)", { "planned" })
            unidesk.output("insert", { tostring(ins.verified), ins.reason })
            local nv = conn:exec("SELECT nextval('\(sequence)') AS n")
            unidesk.output("nextval", { tostring(nv.verified), nv.reason })
            """, mode: .plan(offline: false))
        #expect(plan.exitCode == .ok, "\(plan.error?.message ?? "")")
        let out = outputs(plan)
        #expect(out["insert"] == .array([.string("false"), .string("not verified: would advance sequence \(sequence): a row added to \(sequence.components(separatedBy: ".").first ?? "").\(table) draws column id's default from it; sequences are not rolled back, so plan mode did not run it")]))
        #expect(out["nextval"] == .array([.string("false"), .string("not verified: would advance sequence \(sequence): the statement calls nextval; sequences are not rolled back, so plan mode did not run it")]))
        #expect(plan.audit.filter { $0.effect == .write }.map(\.verdict) == [.unverified, .unverified])
        #expect(try scalar(lastValue) == before, "the sequence did not move")
        #expect(try scalar("select count(*) from \(table)") == .int(0))

        let run = try recipe("""
            local conn = pg.connect(unidesk.env("DSN"))
            unidesk.output("n", assert(conn:exec("SELECT nextval('\(sequence)') AS n")).rows[1].n)
            """)
        #expect(run.exitCode == .ok, "\(run.error?.message ?? "")")
        #expect(outputs(run)["n"] == .int(1))
        #expect(try scalar(lastValue) == .text("1 true"))
    }

    @Test func badLimitsAreBadArgumentsNamingTheOption() throws {
        let r = try recipe("""
            local function why(f, ...) local ok, err = pcall(f, ...); return tostring(err) end
            unidesk.output("connect", why(pg.connect, unidesk.env("DSN"), { plan_lock_timeout = 0 }))
            unidesk.output("type", why(pg.connect, unidesk.env("DSN"), { plan_statement_timeout = "30s" }))
            local conn = pg.connect(unidesk.env("DSN"))
            unidesk.output("exec", why(conn.exec, conn, "SELECT 1", nil, { plan_statement_timeout = -1 }))
            unidesk.output("script", why(conn.script, conn, "SELECT 1", { plan_lock_timeout = 1e9 }))
            """)
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = outputs(r)
        #expect(out["connect"]?.stringValue?.contains("bad argument #2 to 'unidesk.pg.connect' (field 'plan_lock_timeout': seconds greater than 0 and at most 86400 expected, got 0 s") == true,
                "\(String(describing: out["connect"]))")
        #expect(out["type"]?.stringValue?.contains("bad argument #2 to 'unidesk.pg.connect' (field 'plan_statement_timeout': number expected, got string)") == true,
                "\(String(describing: out["type"]))")
        #expect(out["exec"]?.stringValue?.contains("bad argument #4 to 'unidesk.pg.connection:exec' (field 'plan_statement_timeout'") == true,
                "\(String(describing: out["exec"]))")
        #expect(out["script"]?.stringValue?.contains("bad argument #3 to 'unidesk.pg.connection:script' (field 'plan_lock_timeout'") == true,
                "\(String(describing: out["script"]))")
    }
}
