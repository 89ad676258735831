import Foundation
import Testing
@testable import UnideskCore
import UnideskData
import UnideskProcess

/// unidesk.pg as recipes use it, against the private PostgreSQL (scripts/stack/pg-up).
@Suite(.serialized) struct PostgresRecipeTests {
    /// A table of the test's own, dropped afterwards by the caller's recipe or `drop`.
    let table = "t_\(UUID().uuidString.prefix(8).lowercased())"

    func dsn() throws -> String { try stackValue("UNIDESK_PG_ADMIN_DSN") }

    func run(_ lua: String, mode: RunMode = .run, allow: [String] = ["pg.*"], deny: [String] = [], timeout: Double = 20) throws -> RunReport {
        let t = try TempRecipe(["recipe.lua": "local pg = require \"unidesk.pg\"\nlocal conn = pg.connect(unidesk.env(\"DSN\"))\n" + lua])
        return try t.run(mode, allow: allow, deny: deny, env: ["DSN": try dsn()], secretEnv: ["DSN"], timeout: timeout)
    }

    func outputs(_ r: RunReport) -> [String: DataValue] { Dictionary(uniqueKeysWithValues: r.outputs) }

    func drop() throws {
        _ = try run("conn:exec('DROP TABLE IF EXISTS \(table)')")
    }

    @Test func typesParametersAndNull() throws {
        let r = try run("""
            local rows = assert(conn:query([[SELECT 42::int8 AS i, 2.5::float8 AS f, true AS b, 'x' AS t, NULL::text AS n,
              '{"k":[1,{"z":null}]}'::jsonb AS j, 12.30::numeric AS num, '\\x00ff'::bytea AS bin, $1::text AS p, $2::jsonb AS pj, $3::int AS pn]],
              { "'; DROP TABLE users; --", { a = { 1, 2 } }, unidesk.null }))
            local row = rows[1]
            unidesk.output("types", { math.type(row.i), math.type(row.f), type(row.b), type(row.t), tostring(row.n == unidesk.null),
              type(row.j), tostring(row.j.k[2].z == unidesk.null), row.num, tostring(#row.bin), row.p, tostring(row.pj.a[2]), tostring(row.pn == unidesk.null) })
            """)
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(outputs(r)["types"] == .array(["integer", "float", "boolean", "string", "true", "table", "true", "12.30", "2",
                                               "'; DROP TABLE users; --", "2", "true"].map { .string($0) }))
    }

    @Test func failedStatementIsAValueAndRoleIsRestored() throws {
        defer { try? drop() }
        let r = try run("""
            assert(conn:exec("CREATE TABLE \(table) (id int PRIMARY KEY)"))
            assert(conn:exec("INSERT INTO \(table) VALUES ($1)", { 1 }))
            local dup, err = conn:exec("INSERT INTO \(table) VALUES ($1)", { 1 })
            unidesk.output("dup", { tostring(dup), err.kind, err.sqlstate, err.detail, err.constraint, tostring(err) })
            local alt, aerr = conn:exec("ALTER TABLE \(table) ADD COLUMN plan text", nil, { role = "unidesk_app" })
            unidesk.output("role", { tostring(alt), aerr.sqlstate, aerr.message })
            unidesk.output("after", conn:query("SELECT current_user AS u")[1].u)
            local bad, serr = conn:exec("SELEC 1")
            unidesk.output("syntax", { serr.sqlstate, serr.position })
            local w, werr = conn:query("DELETE FROM \(table)")
            unidesk.output("readonly", { werr.sqlstate, conn:query("SELECT count(*) AS n FROM \(table)")[1].n })
            """)
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = outputs(r)
        #expect(out["dup"] == .array(["nil", "sql", "23505", "Key (id)=(1) already exists.", "\(table)_pkey",
                                      "duplicate key value violates unique constraint \"\(table)_pkey\" (SQLSTATE 23505)"].map { .string($0) }))
        #expect(out["role"] == .array(["nil", "42501", "must be owner of table \(table)"].map { .string($0) }))
        #expect(out["after"] == .string("unidesk_admin"), "the connection is left as it was")
        #expect(out["syntax"] == .array([.string("42601"), .int(1)]))
        #expect(out["readonly"] == .array([.string("25006"), .int(1)]), "query is read-only by default")
        let roleRecord = r.audit.first { $0.capability == "pg.exec:unidesk_test@unidesk_app" }
        #expect(roleRecord?.outcome == .error && roleRecord?.message == "must be owner of table \(table)")
    }

    @Test func transactionsCommitRollBackAndReportAbortedOnes() throws {
        defer { try? drop() }
        let r = try run("""
            assert(conn:exec("CREATE TABLE \(table) (id int PRIMARY KEY)"))
            unidesk.output("commit", conn:tx(function(c) assert(c:exec("INSERT INTO \(table) VALUES (1)")); return "kept" end))
            local ok, e = pcall(conn.tx, conn, function(c) assert(c:exec("INSERT INTO \(table) VALUES (2)")); error("changed my mind") end)
            unidesk.output("raised", tostring(e):find("changed my mind") ~= nil)
            local r, err = conn:tx(function(c) c:exec("INSERT INTO \(table) VALUES (3)"); c:exec("INSERT INTO \(table) VALUES (1)"); return "ignored the failure" end)
            unidesk.output("aborted", { tostring(r), err.sqlstate })
            local ids = {}
            for _, row in ipairs(conn:query("SELECT id FROM \(table) ORDER BY id")) do ids[#ids + 1] = row.id end
            unidesk.output("ids", ids)
            local nested_ok, nested = pcall(conn.tx, conn, function(c) return c:tx(function() end) end)
            unidesk.output("nested", tostring(nested):find("does not nest") ~= nil)
            """)
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = outputs(r)
        #expect(out["commit"] == .string("kept"))
        #expect(out["raised"] == .bool(true))
        #expect(out["aborted"] == .array([.string("nil"), .string("25P02")]))
        #expect(out["ids"] == .array([.int(1)]), "only the committed transaction's row is there")
        #expect(out["nested"] == .bool(true))
    }

    @Test func planModeVerifiesWritesByRollbackAndRunsNothingUnverifiable() throws {
        _ = try run("assert(conn:exec('CREATE TABLE \(table) (id int)'))")
        defer { try? drop() }
        let r = try run("""
            local ins = assert(conn:exec("INSERT INTO \(table) SELECT generate_series(1, 5)"))
            unidesk.output("affected", ins.affected)
            local idx = conn:exec("CREATE INDEX CONCURRENTLY \(table)_idx ON \(table) (id)")
            unidesk.output("unverifiable", { tostring(idx.planned), tostring(idx.verified) })
            conn:tx(function(c) assert(c:exec("INSERT INTO \(table) VALUES (99)")) end)
            unidesk.output("seen", conn:query("SELECT count(*) AS n FROM \(table)")[1].n)
            assert(conn:exec("DELETE FROM \(table) WHERE id < 0"))
            """, mode: .plan(offline: false))
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = outputs(r)
        #expect(out["affected"] == .int(5), "the plan ran the insert and reports what it did")
        #expect(out["unverifiable"] == .array([.string("true"), .string("false")]))
        #expect(out["seen"] == .int(0), "nothing the plan ran was kept")
        let writes = r.audit.filter { $0.effect == .write }
        #expect(writes.count == 4 && writes.allSatisfy { $0.planned })
        #expect(writes[3].verdict == .unchanged, "a DELETE that would touch no row changes nothing")
        #expect(writes[0].detail == .string("verified by rollback"))
        #expect(writes[0].verdict == .change(["INSERT 0 5"]), "the server's tag for what it would do")
        #expect(writes[1].detail?.stringValue?.hasPrefix("unverifiable") == true)
        #expect(writes[1].verdict == .unverified)
        let after = try run("""
            unidesk.output("rows", conn:query("SELECT count(*) AS n FROM \(table)")[1].n)
            unidesk.output("index", conn:query("SELECT count(*) AS n FROM pg_indexes WHERE indexname = $1", { "\(table)_idx" })[1].n)
            """)
        #expect(outputs(after)["rows"] == .int(0) && outputs(after)["index"] == .int(0))
    }

    @Test func execManyIsOneGatedCallWithItsRowCount() throws {
        defer { try? drop() }
        let r = try run("""
            assert(conn:exec("CREATE TABLE \(table) (id int PRIMARY KEY, name text, tags jsonb)"))
            local rows = {}
            for i = 1, 600 do rows[i] = { i, "name-" .. i, { i } } end
            rows[3][2] = unidesk.null
            local ok = assert(conn:exec_many("INSERT INTO \(table) (id, name, tags) VALUES ($1, $2, $3)", rows))
            unidesk.output("ok", { ok.command, ok.statements, ok.affected })
            local bad, err = conn:exec_many("INSERT INTO \(table) (id) VALUES ($1)", { { 1000 }, { 1001 }, { 7 } })
            unidesk.output("bad", { tostring(bad), err.kind, err.sqlstate, err.row, tostring(err):find("row 3 of 3", 1, true) ~= nil })
            local in_tx, tx_err = conn:tx(function(c)
              assert(c:exec_many("UPDATE \(table) SET name = $2 WHERE id = $1", { { 1, "one" }, { 2, "two" } }))
              return "committed"
            end)
            unidesk.output("tx", in_tx)
            unidesk.output("after", conn:query("SELECT count(*) AS n, count(name) AS named, max(id) AS top, sum((tags->>0)::int) AS t FROM \(table)")[1])
            local okp, argerr = pcall(conn.exec_many, conn, "INSERT INTO \(table) (id) VALUES ($1)", { { 1 }, { print } })
            unidesk.output("argerr", tostring(argerr))
            """)
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = outputs(r)
        #expect(out["ok"] == .array([.string("INSERT"), .int(600), .int(600)]))
        #expect(out["bad"] == .array([.string("nil"), .string("sql"), .string("23505"), .int(3), .bool(true)]))
        #expect(out["tx"] == .string("committed"))
        #expect(out["after"] == .object([("n", .int(600)), ("named", .int(599)), ("t", .int(180300)), ("top", .int(600))]),
                "the failed batch kept nothing: 1000 and 1001 are not there")
        #expect(out["argerr"]?.stringValue?.contains("bad argument #3 to 'unidesk.pg.connection:exec_many' (rows[2][1]: a function cannot be sent as a parameter)") == true, "\(String(describing: out["argerr"]))")
        let batches = r.audit.filter { $0.primitive == "unidesk.pg.connection:exec_many" }
        try #require(batches.count == 3, "\(r.audit.map(\.primitive))")
        #expect(batches.count == 3, "one audit record per batch, not per row")
        #expect(batches.map { $0.batch?.count } == [600, 3, 2])
        #expect(batches[0].capability == "pg.exec:unidesk_test@unidesk_admin")
        #expect(batches[0].arguments == .array([.string("INSERT INTO \(table) (id, name, tags) VALUES ($1, $2, $3)"), .object([("rows", .int(600))]), .null]),
                "the audit shows the statement once with the row count, not the rows")
        #expect(batches[1].outcome == .error)
        #expect(batches[0].json.objectValue?.first { $0.0 == "batch" }?.1 == .object([("count", .int(600)), ("of", .string("row"))]))
    }

    @Test func execManyInPlanModeIsVerifiedByRollbackAsOneWrite() throws {
        _ = try run("assert(conn:exec('CREATE TABLE \(table) (id int)'))")
        defer { try? drop() }
        let r = try run("""
            local rows = {}
            for i = 1, 50 do rows[i] = { i } end
            local p = assert(conn:exec_many([[INSERT INTO \(table)
              (id) VALUES ($1)]], rows))
            unidesk.output("planned", { p.command, p.affected })
            assert(conn:exec_many("DELETE FROM \(table) WHERE id = $1", { { -1 } }))
            """, mode: .plan(offline: false))
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(outputs(r)["planned"] == .array([.string("INSERT"), .int(50)]))
        let writes = r.audit.filter { $0.effect == .write }
        try #require(writes.count == 2 && writes.allSatisfy { $0.planned })
        #expect(writes[0].verdict == .change(["INSERT 50 in 50 rows: INSERT INTO \(table) (id) VALUES ($1)"]))
        #expect(writes[0].detail == .string("verified by rollback"))
        #expect(writes[1].verdict == .unchanged)
        let lines = PlanSummary(audit: r.audit, exitCode: r.exitCode).lines()
        #expect(lines.contains("      INSERT 50 in 50 rows: INSERT INTO \(table) (id) VALUES ($1)"), "\(lines)")
        let after = try run("unidesk.output('n', conn:query('SELECT count(*) AS n FROM \(table)')[1].n)")
        #expect(outputs(after)["n"] == .int(0))
    }

    @Test func offlinePlanConnectsToNothing() throws {
        let t = try TempRecipe(["recipe.lua": """
            local pg = require "unidesk.pg"
            local conn = pg.connect("postgresql://nobody:pw@127.0.0.1:1/nowhere")
            local rows = conn:query("SELECT 1")
            unidesk.output("query", { tostring(rows.planned), tostring(rows.unknown), #rows })
            unidesk.output("exec", tostring(conn:exec("DELETE FROM x").planned))
            """])
        let r = try t.run(.plan(offline: true), allow: ["pg.*"])
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(outputs(r)["query"] == .array([.string("true"), .string("true"), .int(0)]), "the documented unknown value, empty to #")
        #expect(outputs(r)["exec"] == .string("true"))
        #expect(r.audit.map(\.verdict) == [.unknown, .unknown, .unverified], "connect and query not performed, the write not verified")
        #expect(r.audit.first?.capability == "pg.connect:nowhere@nobody")
    }

    @Test func writesNeedAGrantAndDenialsAreSticky() throws {
        let r = try run("""
            unidesk.output("read", conn:query("SELECT 1 AS one")[1].one)
            local ok, err = pcall(conn.exec, conn, "CREATE TABLE never_created (id int)")
            unidesk.output("kind", err.kind)
            """, allow: [])
        #expect(r.exitCode == .denied)
        #expect(outputs(r)["read"] == .int(1), "reads need no grant")
        #expect(outputs(r)["kind"] == .string("denied"))
        let denied = try run("conn:exec('SELECT 1', nil, { role = 'unidesk_app' })", allow: ["pg.exec:*@unidesk_admin"])
        #expect(denied.exitCode == .denied, "the grant names the role a statement runs as")
    }

    @Test func passwordsNeverReachTheReport() throws {
        let good = try dsn()
        let wrong = good.replacingOccurrences(of: "s3cret-admin", with: "wr0ng-pa55word")
        for (secret, dsnText) in [("s3cret-admin", good), ("wr0ng-pa55word", wrong)] {
            // The DSN as a plain string, not a secret: the password is still found and masked.
            let t = try TempRecipe(["recipe.lua": """
                local pg = require "unidesk.pg"
                local conn = pg.connect("\(dsnText)")
                print(conn:query("SELECT 1 AS x")[1].x)
                error("stop here with " .. "\(dsnText)")
                """])
            let r = try t.run(allow: ["pg.*"])
            let rendered = JSON.encodeForTests(r.json)
            #expect(!rendered.contains(secret), "the report holds the password: \(rendered.prefix(300))")
            #expect(r.exitCode == .recipeFailed)
            if secret == "wr0ng-pa55word" {
                #expect(r.error?.kind == "auth" && r.error?.message.contains("password authentication failed") == true)
            }
        }
    }

    @Test func oneShotExecAndServiceFileWithPasswordFile() throws {
        let r = try run("""
            local r, err = pg.exec { dsn = unidesk.env("DSN"), sql = "SELECT $1::int + 1 AS n", params = { 41 }, read_only = true }
            unidesk.output("n", r.rows[1].n)
            local bad, berr = pg.exec { dsn = unidesk.env("DSN"), sql = "SELECT * FROM no_such_table", read_only = true }
            unidesk.output("err", berr.sqlstate)
            """)
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(outputs(r)["n"] == .int(42) && outputs(r)["err"] == .string("42P01"))
        #expect(r.audit.filter { $0.primitive == "unidesk.pg.connect" }.count == 3, "the recipe's own connection, then one per pg.exec")

        // As psql: `service=unidesk` from PGSERVICEFILE, the password from PGPASSFILE.
        let service = try stackValue("UNIDESK_PG_SERVICEFILE"), passfile = try stackValue("UNIDESK_PG_PASSFILE")
        setenv("PGSERVICEFILE", service, 1)
        setenv("PGPASSFILE", passfile, 1)
        defer { unsetenv("PGSERVICEFILE"); unsetenv("PGPASSFILE") }
        let t = try TempRecipe(["recipe.lua": """
            local conn = require("unidesk.pg").connect("service=unidesk")
            unidesk.output("who", conn:query("SELECT current_user AS u, current_database() AS d")[1])
            error("the password from the file must not show: " .. tostring(conn))
            """])
        let viaService = try t.run(allow: ["pg.*"])
        #expect(outputs(viaService)["who"] == .object([("d", .string("unidesk_test")), ("u", .string("unidesk_admin"))]), "\(viaService.error?.message ?? "")")
        #expect(viaService.audit.first?.capability == "pg.connect:service:unidesk@root" || viaService.audit.first?.capability.hasPrefix("pg.connect:service:unidesk@") == true)
        #expect(!JSON.encodeForTests(viaService.json).contains("s3cret-admin"))
    }

    @Test func theDeadlineCancelsARunningStatement() throws {
        let started = Date()
        let r = try run("""
            local ok, err = pcall(conn.exec, conn, "SELECT pg_sleep(60)")
            unidesk.output("kind", err.kind)
            """, timeout: 2)
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 15, "a 60 s statement under a 2 s deadline took \(elapsed) s")
        #expect(r.exitCode == .limit || outputs(r)["kind"] == .string("timeout"), "\(r.exitCode) \(r.error?.message ?? "")")
        // The server is not left running it.
        let check = try run("unidesk.output('n', conn:query(\"SELECT count(*) AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' AND state = 'active'\")[1].n)")
        #expect(outputs(check)["n"] == .int(0))
    }

    /// On the stack's second, restartable server (restarting the shared one would cut
    /// every other test's sessions); one restarting test at a time, across targets.
    @Test func aServerRestartMidRunIsACleanError() throws {
        let restart = try stackValue("UNIDESK_PG_RESTART"), stackDir = try stackValue("UNIDESK_PG_RESTARTABLE_STACK")
        let dsn = try stackValue("UNIDESK_PG_RESTARTABLE_DSN")
        // O_CLOEXEC: the restarted postmaster must not inherit (and keep) the lock.
        let fd = open(stackDir + "/restart.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        defer { if fd >= 0 { close(fd) } }
        if fd >= 0 { flock(fd, LOCK_EX) }
        func runHere(_ lua: String, timeout: Double = 30) throws -> RunReport {
            let t = try TempRecipe(["recipe.lua": "local conn = require(\"unidesk.pg\").connect(unidesk.env(\"DSN\"))\n" + lua])
            return try t.run(allow: ["pg.*"], env: ["DSN": dsn], secretEnv: ["DSN"], timeout: timeout)
        }
        // The server may still be coming back from another test's restart.
        for _ in 0..<50 where (try? runHere("conn:query('SELECT 1')"))?.exitCode != .ok { Thread.sleep(forTimeInterval: 0.2) }
        var restartEnv = ProcessInfo.processInfo.environment
        restartEnv["UNIDESK_STACK_DIR"] = stackDir
        let env = restartEnv
        let restarter = Thread {
            Thread.sleep(forTimeInterval: 1.0)
            _ = try? Command.run([restart], environment: env, timeout: 60)
        }
        restarter.start()
        let started = Date()
        let r = try runHere("""
            local ok, err = pcall(conn.exec, conn, "SELECT pg_sleep(20)")
            unidesk.output("first", err.kind)
            local ok2, err2 = pcall(conn.query, conn, "SELECT 1")
            unidesk.output("again", err2.kind)
            unidesk.output("message", err2.message)
            """)
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(outputs(r)["first"] == .string("network"))
        #expect(outputs(r)["again"] == .string("network"))
        #expect(outputs(r)["message"]?.stringValue?.contains("connect again") == true)
        // A new connection works once the server is back.
        for _ in 0..<50 {
            if (try? runHere("conn:query('SELECT 1')"))?.exitCode == .ok { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        Issue.record("the server did not come back after the restart")
    }
}

extension JSON {
    static func encodeForTests(_ v: DataValue) -> String { (try? encode(v)) ?? "" }
}
