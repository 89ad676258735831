import Testing
@testable import UnideskPostgres

/// runScript: one transaction per script, errors that name the file, statement and line.
extension PostgresTests {
    @Suite struct ScriptTests {
        let stack = PGStack()

        @Test func failingStatementNamesFileIndexAndLine() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_script")
            defer { stack.cleanup("drop table if exists \(t)") }
            let script = """
            -- 001_init.sql
            create table \(t) (id int primary key, name text);
            insert into \(t) (id,
                name,
                no_such_column)
            values (1, 'a', 'b');
            create index on \(t) (name);
            """
            let e = try #require(pgError { try c.runScript(script, name: "001_init.sql", options: StatementOptions(timeout: 10)) })
            #expect(e.kind == .sql)
            #expect(e.sqlstate == "42703")
            #expect(e.file == "001_init.sql")
            #expect(e.statementIndex == 2)
            #expect(e.line == 5, "the line of the bad column, not of the statement's start")
            #expect(e.statement?.hasPrefix("insert into \(t) (id,") == true)
            #expect(e.description.contains("in 001_init.sql:5"))
            #expect(c.transactionState == .idle)
            #expect(try !c.exists(t), "statement 1 was rolled back with the script")
        }

        @Test func scriptRunsInOneTransaction() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_ok")
            defer { stack.cleanup("drop table if exists \(t)") }
            let out = try c.runScript("""
                create table \(t) (id int);
                insert into \(t) values (1), (2);
                select txid_current_if_assigned() is not null as in_tx;
                """, name: "ok.sql", options: StatementOptions(timeout: 10))
            #expect(out.statements == 3)
            #expect(out.transactional)
            #expect(try c.count(t) == 2)
            #expect(c.transactionState == .idle)
        }

        @Test func bracketingBeginCommitIsAccepted() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_bracket")
            defer { stack.cleanup("drop table if exists \(t)") }
            let out = try c.runScript("""
                BEGIN;
                create table \(t) (id int);
                insert into \(t) values (1);
                COMMIT;
                """, name: "bracketed.sql", options: StatementOptions(timeout: 10))
            #expect(out.statements == 2)
            #expect(out.transactional)
            #expect(try c.count(t) == 1)
            #expect(c.transactionState == .idle)
        }

        @Test func commitInTheMiddleIsRefusedBeforeAnythingRuns() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_mid")
            defer { stack.cleanup("drop table if exists \(t)") }
            let e = try #require(pgError {
                try c.runScript("create table \(t) (id int);\n\ncommit;\ninsert into \(t) values (1);", name: "mid.sql", options: StatementOptions(timeout: 10))
            })
            #expect(e.kind == .invalid)
            #expect(e.line == 3)
            #expect(e.statementIndex == 2)
            #expect(e.file == "mid.sql")
            #expect(e.message.contains("COMMIT"))
            #expect(try !c.exists(t))
        }

        @Test func roleChangeInAScriptRunAsARoleIsRefused() throws {
            let c = try stack.admin()
            defer { c.close() }
            let e = try #require(pgError {
                try c.runScript("select 1;\nset role unidesk_admin;\nselect 2;", name: "escape.sql", options: StatementOptions(role: "unidesk_app", timeout: 10))
            })
            #expect(e.kind == .invalid)
            #expect(e.line == 2)
            #expect(e.statementIndex == 2)
            // Without a role there is nothing to escape from: the same script runs.
            let out = try c.runScript("select 1;\nset role unidesk_app;\nreset role;", name: "fine.sql", options: StatementOptions(timeout: 10))
            #expect(out.statements == 3)
            #expect(try c.scalar("select current_user") == .text(c.user))
        }

        @Test func scriptAsARoleFailsOnPrivilegeAndRestoresTheUser() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_priv")
            try c.exec("create table \(t) (id int); grant select, insert on \(t) to unidesk_app")
            defer { stack.cleanup("drop table if exists \(t)") }
            let e = try #require(pgError {
                try c.runScript("insert into \(t) values (1);\nalter table \(t) add column x int;", name: "priv.sql",
                                options: StatementOptions(role: "unidesk_app", timeout: 10))
            })
            #expect(e.sqlstate == "42501")
            #expect(e.statementIndex == 2)
            #expect(e.line == 2)
            #expect(try c.count(t) == 0)
            #expect(try c.scalar("select current_user") == .text(c.user))
        }

        @Test func beginAtomicFunctionBodyIsSentWhole() throws {
            let c = try stack.admin()
            defer { c.close() }
            let f = uniqueName("f_atomic")
            defer { stack.cleanup("drop function if exists \(f)(int, int)") }
            let out = try c.runScript("""
                CREATE FUNCTION \(f)(a int, b int) RETURNS int LANGUAGE sql
                BEGIN ATOMIC
                  SELECT CASE WHEN a > 0 THEN a ELSE 0 END + b;
                END;
                SELECT \(f)(2, 3);
                """, name: "atomic.sql", options: StatementOptions(timeout: 10))
            #expect(out.statements == 2)
            #expect(try c.scalar("select \(f)(-1, 3)") == .int(3))
        }

        @Test func concurrentIndexRunsOutsideATransaction() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_conc")
            let index = "\(t)_idx"
            try c.exec("create table \(t) (id int)")
            defer { stack.cleanup("drop table if exists \(t)") }

            let e = try #require(pgError {
                try c.runScript("insert into \(t) values (1);\ncreate index concurrently \(index) on \(t) (id);", name: "conc.sql",
                                options: StatementOptions(rollback: true, timeout: 10))
            })
            #expect(e.kind == .invalid)
            #expect(e.message.hasPrefix("unverifiable"))
            #expect(e.line == 2)
            #expect(try !c.exists(index))
            #expect(try c.count(t) == 0, "nothing of the script ran")

            let out = try c.runScript("create index concurrently \(index) on \(t) (id);", name: "conc.sql", options: StatementOptions(timeout: 10))
            #expect(!out.transactional)
            #expect(out.statements == 1)
            #expect(try c.exists(index))
        }

        /// Inside a transaction begun with begin(), read-only must hold as it does for run().
        @Test func readOnlyScriptInsideATransactionRefusesWrites() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_rotx")
            try c.exec("create table \(t) (id int)")
            defer { stack.cleanup("drop table if exists \(t)") }
            try c.begin(timeout: 10)
            let e = pgError { try c.runScript("insert into \(t) values (1);", name: "ro.sql", options: StatementOptions(readOnly: true, timeout: 10)) }
            #expect(e?.sqlstate == "25006", "a read-only script wrote inside the transaction")
            c.rollbackTransaction(timeout: 10)
            #expect(try c.count(t) == 0)
        }
    }
}
