import Testing
@testable import UnideskPostgres

/// run(options:): as a role, read-only, rolled back; the connection is left as it was.
extension PostgresTests {
    @Suite struct RunOptionsTests {
        let stack = PGStack()
        let app = "unidesk_app"

        /// An admin-owned table unidesk_app may read and insert into.
        func table(_ c: PGConnection, _ prefix: String) throws -> String {
            let t = uniqueName(prefix)
            try c.exec("create table \(t) (id int); grant select, insert on \(t) to unidesk_app")
            return t
        }

        @Test func roleLacksPrivilegeAndIsDroppedAfterwards() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = try table(c, "t_role")
            defer { stack.cleanup("drop table if exists \(t)") }
            let admin = PGValue.text(c.user)

            let who = try c.run("select current_user", options: StatementOptions(role: app, timeout: 10))
            #expect(who.rows.first?.first == .text(app))
            let e = try #require(pgError { try c.run("alter table \(t) add column x int", options: StatementOptions(role: app, timeout: 10)) })
            #expect(e.kind == .sql)
            #expect(e.sqlstate == "42501")
            #expect(try c.scalar("select current_user") == admin)
            #expect(c.transactionState == .idle)
            #expect(try c.scalar("select count(*) from information_schema.columns where table_name = $1", [.text(t)]) == .int(1), "the ALTER did not happen")

            // Inside a transaction begun with begin(): the role is back after the statement.
            try c.begin(timeout: 10)
            let inner = try c.run("insert into \(t) values (1) returning current_user", options: StatementOptions(role: app, timeout: 10))
            #expect(inner.rows.first?.first == .text(app))
            #expect(try c.scalar("select current_user") == admin)
            #expect(c.transactionState == .inTransaction)
            try c.commit(rollback: false, timeout: 10)
            #expect(try c.count(t) == 1)
            #expect(try c.scalar("select current_user") == admin)
        }

        @Test func readOnlyRefusesWrites() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = try table(c, "t_ro")
            defer { stack.cleanup("drop table if exists \(t)") }
            let e = try #require(pgError { try c.run("insert into \(t) values (1)", options: StatementOptions(readOnly: true, timeout: 10)) })
            #expect(e.sqlstate == "25006")
            #expect(c.transactionState == .idle)
            #expect(try c.count(t) == 0)
            let read = try c.run("select count(*) from \(t)", options: StatementOptions(role: app, readOnly: true, timeout: 10))
            #expect(read.rows == [[.int(0)]])
        }

        @Test func readOnlyInsideATransactionLeavesItWritable() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = try table(c, "t_rotx")
            defer { stack.cleanup("drop table if exists \(t)") }
            try c.begin(timeout: 10)
            try c.exec("insert into \(t) values (1)")
            let seen = try c.run("select count(*) from \(t)", options: StatementOptions(role: app, readOnly: true, timeout: 10))
            #expect(seen.rows == [[.int(1)]], "the read sees the transaction's own write")
            let e = try #require(pgError { try c.run("insert into \(t) values (2)", options: StatementOptions(readOnly: true, timeout: 10)) })
            #expect(e.sqlstate == "25006")
            #expect(c.transactionState == .inTransaction, "the refused write did not abort the transaction")
            try c.exec("insert into \(t) values (3)")
            #expect(try c.scalar("select current_user") == .text(c.user))
            try c.commit(rollback: false, timeout: 10)
            #expect(try c.scalar("select string_agg(id::text, ',' order by id) from \(t)") == .text("1,3"))
        }

        @Test func rollbackReturnsTheResultButKeepsNothing() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = try table(c, "t_rb")
            defer { stack.cleanup("drop table if exists \(t)") }
            let r = try c.run("insert into \(t) select generate_series(1, 3)", options: StatementOptions(role: app, rollback: true, timeout: 10))
            #expect(r.command == "INSERT 0 3")
            #expect(r.affected == 3)
            #expect(try c.count(t) == 0)
            #expect(c.transactionState == .idle)
        }

        @Test func roleNameThatNeedsQuoting() throws {
            let c = try stack.admin()
            defer { c.close() }
            let role = "we\"ird role \(uniqueName("r"))"
            let quoted = try c.quoteIdentifier(role)
            #expect(quoted == "\"" + role.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
            try c.exec("create role \(quoted)")
            defer { stack.cleanup("drop role if exists \(quoted)") }
            let r = try c.run("select current_user", options: StatementOptions(role: role, timeout: 10))
            #expect(r.rows.first?.first == .text(role))
            try c.begin(timeout: 10)
            try c.exec("set local role \(quoted)")
            // Inside a transaction already running as the quoted role, a run as another role restores it.
            let other = try c.run("select current_user", options: StatementOptions(role: app, timeout: 10))
            #expect(other.rows.first?.first == .text(app))
            #expect(try c.scalar("select current_user") == .text(role))
            try c.commit(rollback: true, timeout: 10)
        }

        /// A statement that cannot run in a transaction runs outside one; read-only must
        /// still hold (conn:query is read-only by default and runs for real in plan mode).
        @Test func readOnlyRefusesAStatementThatCannotRunInATransaction() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = try table(c, "t_roci")
            let index = "\(t)_idx"
            defer { stack.cleanup("drop table if exists \(t)") }
            pgError { try c.run("create index concurrently \(index) on \(t) (id)", options: StatementOptions(readOnly: true, timeout: 10)) }
            #expect(try !c.exists(index), "a read-only run created an index")
        }

        /// The simple protocol takes several statements: a COMMIT among them ends the
        /// wrapping transaction, and the final ROLLBACK (plan mode) has nothing left to undo.
        @Test func rollbackHoldsAgainstAnEmbeddedCommit() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = try table(c, "t_embrb")
            defer { stack.cleanup("drop table if exists \(t)") }
            _ = try? c.run("insert into \(t) values (1); commit", options: StatementOptions(rollback: true, timeout: 10))
            #expect(try c.count(t) == 0, "a rollback:true run (plan mode's verification) committed its insert")
        }

        /// Likewise a COMMIT first ends the READ ONLY transaction, and the write after it
        /// runs in a transaction of its own.
        @Test func readOnlyHoldsAgainstAnEmbeddedCommit() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = try table(c, "t_embro")
            defer { stack.cleanup("drop table if exists \(t)") }
            _ = try? c.run("commit; insert into \(t) values (2)", options: StatementOptions(readOnly: true, timeout: 10))
            #expect(try c.count(t) == 0, "a read-only run wrote a row")
        }

        /// runScript refuses a role change in a script run as a role; run() takes several
        /// statements too, and a SET ROLE among them must not lift the role either.
        @Test func roleHoldsAgainstAnEmbeddedSetRole() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = try table(c, "t_embrole")
            defer { stack.cleanup("drop table if exists \(t)") }
            _ = try? c.run("set role \(c.user); alter table \(t) add column x int", options: StatementOptions(role: app, timeout: 10))
            #expect(try c.scalar("select count(*) from information_schema.columns where table_name = $1", [.text(t)]) == .int(1),
                    "a statement run as unidesk_app altered an admin-owned table")
        }
    }
}
