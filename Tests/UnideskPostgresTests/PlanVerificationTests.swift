import Testing
@testable import UnideskPostgres

/// Plan mode's verification (rollback: true) against the real server: bounded waits for
/// locks and statements, and nothing run that a rollback would not undo.
extension PostgresTests {
    @Suite struct PlanVerificationTests {
        let stack = PGStack()

        func plan(lock: Double = 0.2, statement: Double = 30) -> StatementOptions {
            StatementOptions(rollback: true, timeout: 20, planLimits: PlanLimits(lockTimeout: lock, statementTimeout: statement))
        }

        /// A second session holding ACCESS EXCLUSIVE on `table` in an open transaction.
        func lockHolder(_ table: String) throws -> (PGConnection, PGValue) {
            let holder = try stack.admin()
            try holder.begin(timeout: 10)
            try holder.exec("lock table \(table) in access exclusive mode")
            return (holder, try holder.scalar("select pg_backend_pid()"))
        }

        func holdsLock(_ table: String, pid: PGValue) throws -> Bool {
            let observer = try stack.admin()
            defer { observer.close() }
            return try observer.scalar("select count(*) from pg_locks where relation = $1::regclass and mode = 'AccessExclusiveLock' and granted and pid = $2",
                                       [.text(table), pid]) == .int(1)
        }

        func columns(_ c: PGConnection, _ table: String) throws -> PGValue {
            try c.scalar("select count(*) from information_schema.columns where table_name = $1", [.text(table)])
        }

        @Test func aLockedTableIsNotVerifiedAndTheOtherSessionKeepsItsLock() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_locked")
            try c.exec("create table \(t) (id int)")
            defer { stack.cleanup("drop table if exists \(t)") }
            let (holder, pid) = try lockHolder(t)
            defer { holder.close() }

            // Without lock_timeout the ALTER would wait for the holder until the call's 20 s
            // timeout and fail as kind timeout: 55P03 is the plan's lock_timeout answering.
            let e = try #require(pgError { try c.run("alter table \(t) add column x int", options: plan(lock: 0.2)) })
            #expect(e.unverified)
            #expect(e.sqlstate == "55P03")
            #expect(e.message.hasPrefix("not verified: lock not available ("), "\(e.message)")
            #expect(e.message.contains("plan_lock_timeout = 0.2 s"))
            #expect(c.transactionState == .idle && c.isOpen)
            #expect(holder.transactionState == .inTransaction)
            #expect(try holdsLock(t, pid: pid), "the other session's lock is untouched")

            // A script waits the same bounded time; the reason names its statement.
            let s = try #require(pgError {
                try c.runScript("select 1;\nalter table \(t) add column y int;", name: "002_y.up.sql", options: plan(lock: 0.2))
            })
            #expect(s.unverified && s.sqlstate == "55P03")
            #expect(s.message.hasSuffix("(statement 2 of 002_y.up.sql, line 2)"), "\(s.message)")
            #expect(try holdsLock(t, pid: pid))

            try holder.commit(rollback: false, timeout: 10)
            #expect(try columns(c, t) == .int(1), "no column was added")
        }

        @Test func insideATransactionOnlyTheStatementIsRolledBack() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_locktx"), other = uniqueName("t_free")
            try c.exec("create table \(t) (id int); create table \(other) (id int)")
            defer { stack.cleanup("drop table if exists \(t), \(other)") }
            let settings = "select current_setting('lock_timeout') || ' ' || current_setting('statement_timeout')"
            let before = try c.scalar(settings)
            let (holder, pid) = try lockHolder(t)
            defer { holder.close() }

            try c.begin(timeout: 10)
            let inserted = try c.run("insert into \(other) values (1)", options: plan())
            #expect(inserted.command == "INSERT 0 1")
            #expect(try c.scalar(settings) == before, "the plan's limits do not outlive the statement")
            let e = try #require(pgError { try c.run("alter table \(t) add column x int", options: plan(lock: 0.2)) })
            #expect(e.unverified && e.sqlstate == "55P03")
            #expect(c.transactionState == .inTransaction, "the transaction goes on, as conn:tx's function does")
            #expect(try c.count(other) == 1, "what the transaction did before is still there")
            let s = try #require(pgError { try c.runScript("alter table \(t) add column y int;", name: "s.sql", options: plan(lock: 0.2)) })
            #expect(s.unverified && s.sqlstate == "55P03")
            #expect(c.transactionState == .inTransaction)
            #expect(try c.scalar(settings) == before)
            try c.commit(rollback: true, timeout: 10)
            #expect(try holdsLock(t, pid: pid))
            #expect(try c.count(other) == 0)
        }

        @Test func aLongStatementIsCancelledByThePlansStatementTimeout() throws {
            let c = try stack.admin()
            defer { c.close() }
            // The call's own timeout is 20 s: this 57014 is the server's statement_timeout.
            let e = try #require(pgError { try c.run("select pg_sleep(15)", options: plan(statement: 0.3)) })
            #expect(e.unverified)
            #expect(e.kind == .sql && e.sqlstate == "57014")
            #expect(e.message.hasPrefix("not verified: statement timeout ("), "\(e.message)")
            #expect(e.message.contains("plan_statement_timeout = 0.3 s"))
            #expect(c.isOpen && c.transactionState == .idle)
        }

        @Test func theLimitsAreSetInPlanModeOnly() throws {
            let c = try stack.admin()
            defer { c.close() }
            let sql = "select current_setting('lock_timeout'), current_setting('statement_timeout')"
            let planned = try c.run(sql, options: plan(lock: 1.5, statement: 30))
            #expect(planned.rows == [[.text("1500ms"), .text("30s")]])
            let server = try c.execute(sql, timeout: 10).last?.rows
            let run = try c.run(sql, options: StatementOptions(timeout: 10))
            #expect(run.rows == server, "a run sets nothing")
            #expect(run.rows != planned.rows)
        }

        @Test func statementsThatWouldAdvanceASequenceAreNotRun() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_serial"), ident = uniqueName("t_ident"), shared = uniqueName("s_shared"), plain = uniqueName("t_plain")
            try c.exec("""
                create table \(t) (id serial primary key, name text);
                create table \(ident) (id bigint generated always as identity, n int);
                create sequence \(shared);
                create table \(plain) (n bigint default 7, name text);
                """)
            defer { stack.cleanup("drop table if exists \(t), \(ident), \(plain); drop sequence if exists \(shared)") }
            let serial = try c.scalar("select pg_get_serial_sequence($1, 'id')", [.text(t)])
            let identity = try c.scalar("select pg_get_serial_sequence($1, 'id')", [.text(ident)])
            guard case .text(let seq) = serial, case .text(let identSeq) = identity else { Issue.record("no sequences: \(serial) \(identity)"); return }
            let table = try c.scalar("select format('%I.%I', schemaname, tablename) from pg_tables where tablename = $1", [.text(t)])
            func state(_ s: String) throws -> [[PGValue]] { try c.execute("select last_value, is_called from \(s)", timeout: 10).last?.rows ?? [] }
            let before = try state(seq)

            let insert = try #require(pgError { try c.run("insert into \(t) (name) values ('a')", options: plan()) })
            #expect(insert.unverified)
            #expect(insert.message == "not verified: would advance sequence \(seq): a row added to \(table.textValue ?? "?") draws column id's default from it; sequences are not rolled back, so plan mode did not run it")
            let call = try #require(pgError { try c.run("select nextval('\(t)_id_seq')", options: plan()) })
            #expect(call.message.hasPrefix("not verified: would advance sequence \(seq): the statement calls nextval"), "\(call.message)")
            let set = try #require(pgError { try c.run("select setval($1, 100)", parameters: [.text(seq)], options: plan()) })
            #expect(set.message.hasPrefix("not verified: would set a sequence: the statement calls setval"), "\(set.message)")
            #expect(try state(seq) == before, "the sequence did not move")

            let id = try #require(pgError { try c.run("insert into \(ident) (n) values (1)", options: plan()) })
            #expect(id.message.contains("would advance sequence \(identSeq)"), "\(id.message)")
            try c.exec("alter table \(plain) alter column n set default nextval('\(shared)')")
            let byDefault = try #require(pgError { try c.run("insert into \(plain) (name) values ('x')", options: plan()) })
            #expect(byDefault.message.contains("would advance sequence"), "\(byDefault.message)")
            #expect(byDefault.message.contains(shared) && byDefault.message.contains("column n's default"), "\(byDefault.message)")

            let script = try #require(pgError {
                try c.runScript("select 1;\n\ninsert into \(t) (name) values ('b');", name: "003_seed.up.sql", options: plan())
            })
            #expect(script.unverified && script.statementIndex == 2 && script.line == 3)
            #expect(script.message.contains("(statement 2 of 003_seed.up.sql, line 3)"), "\(script.message)")

            try c.begin(timeout: 10)
            let inTx = try #require(pgError { try c.run("insert into \(t) (name) values ('c')", options: plan()) })
            #expect(inTx.unverified)
            #expect(c.transactionState == .inTransaction, "a statement not run leaves the transaction as it was")
            try c.commit(rollback: true, timeout: 10)

            #expect(try state(seq) == before, "nothing the plan did advanced the sequence")
            #expect(try c.count(t) == 0)

            // A table without a sequence-backed column is verified by rollback as before.
            try c.exec("alter table \(plain) alter column n set default 7")
            let verified = try c.run("insert into \(plain) (name) values ('y')", options: plan())
            #expect(verified.command == "INSERT 0 1")
            #expect(try c.count(plain) == 0)

            // A run is not plan mode: nextval runs.
            let ran = try c.run("select nextval('\(t)_id_seq')", options: StatementOptions(timeout: 10))
            #expect(ran.rows == [[.int(1)]])
            #expect(try state(seq) == [[.int(1), .bool(true)]])
        }
    }
}

extension PGValue {
    var textValue: String? {
        if case .text(let s) = self { return s }
        return nil
    }
}
