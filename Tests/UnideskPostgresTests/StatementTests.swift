import Testing
@testable import UnideskPostgres

/// Server errors with their fields, explicit transactions, notices.
extension PostgresTests {
    @Suite struct StatementTests {
        let stack = PGStack()

        func position(of needle: String, in sql: String) -> Int {
            sql.distance(from: sql.startIndex, to: sql.range(of: needle)!.lowerBound) + 1
        }

        @Test func uniqueViolationCarriesDetailAndConstraint() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_uniq")
            try c.exec("create table \(t) (id int constraint \(t)_pk primary key)")
            defer { stack.cleanup("drop table if exists \(t)") }
            try c.exec("insert into \(t) values (1)")
            let e = try #require(pgError { try c.execute("insert into \(t) values (1)", timeout: 10) })
            #expect(e.kind == .sql)
            #expect(e.sqlstate == "23505")
            #expect(e.constraint == "\(t)_pk")
            #expect(e.table == t)
            #expect(e.detail == "Key (id)=(1) already exists.")
            #expect(e.description.contains("(SQLSTATE 23505)"))
            #expect(c.isOpen && c.transactionState == .idle, "a failed statement leaves the connection usable")
            #expect(try c.count(t) == 1)
        }

        @Test func undefinedColumnHasItsPosition() throws {
            let c = try stack.admin()
            defer { c.close() }
            let sql = "select relname, no_such_col from pg_class"
            let e = try #require(pgError { try c.execute(sql, timeout: 10) })
            #expect(e.sqlstate == "42703")
            #expect(e.position == position(of: "no_such_col", in: sql))
            #expect(e.message.contains("no_such_col"))
        }

        @Test func syntaxErrorHasItsPosition() throws {
            let c = try stack.admin()
            defer { c.close() }
            let sql = "select 1 from from pg_class"
            let e = try #require(pgError { try c.execute(sql, timeout: 10) })
            #expect(e.sqlstate == "42601")
            #expect(e.position == position(of: "from pg_class", in: sql))
        }

        @Test func theFailingStatementOfSeveralIsReported() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_multi")
            try c.exec("create table \(t) (id int)")
            defer { stack.cleanup("drop table if exists \(t)") }
            let e = try #require(pgError {
                try c.execute("insert into \(t) values (1); select missing_col from \(t); select 1/0", timeout: 10)
            })
            #expect(e.sqlstate == "42703", "the second statement's error, not the third's (22012): \(e)")
            #expect(try c.count(t) == 0, "one simple-protocol string is one implicit transaction")
            #expect(c.transactionState == .idle)
        }

        @Test func commitAfterAFailedStatementIs25P02() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_commit")
            try c.exec("create table \(t) (id int)")
            defer { stack.cleanup("drop table if exists \(t)") }
            try c.begin(timeout: 10)
            #expect(c.transactionState == .inTransaction)
            try c.exec("insert into \(t) values (1)")
            #expect(pgError { try c.execute("select nope from \(t)", timeout: 10) }?.sqlstate == "42703")
            #expect(c.transactionState == .failed)
            let e = try #require(pgError { try c.commit(rollback: false, timeout: 10) })
            #expect(e.kind == .sql)
            #expect(e.sqlstate == "25P02")
            #expect(c.transactionState == .idle)
            #expect(try c.count(t) == 0, "nothing was committed")
        }

        @Test func commitKeepsAndRollbackDiscards() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_tx")
            try c.exec("create table \(t) (id int)")
            defer { stack.cleanup("drop table if exists \(t)") }
            try c.begin(timeout: 10)
            try c.exec("insert into \(t) values (1)")
            try c.commit(rollback: false, timeout: 10)
            try c.begin(timeout: 10)
            try c.exec("insert into \(t) values (2)")
            try c.commit(rollback: true, timeout: 10)
            #expect(try c.scalar("select string_agg(id::text, ',') from \(t)") == .text("1"))
        }

        @Test func beginDoesNotNest() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = uniqueName("t_nest")
            try c.exec("create table \(t) (id int)")
            defer { stack.cleanup("drop table if exists \(t)") }
            try c.begin(timeout: 10)
            try c.exec("insert into \(t) values (1)")
            let e = try #require(pgError { try c.begin(timeout: 10) })
            #expect(e.kind == .invalid)
            #expect(c.transactionState == .inTransaction, "the open transaction is untouched")
            try c.commit(rollback: false, timeout: 10)
            #expect(try c.count(t) == 1)
        }

        @Test func noticesAreCollected() throws {
            let c = try stack.admin()
            defer { c.close() }
            #expect(c.takeNotices().isEmpty)
            try c.exec("DO $$ BEGIN RAISE NOTICE 'hello'; RAISE WARNING 'careful %', 42; END $$")
            #expect(c.takeNotices() == ["NOTICE: hello", "WARNING: careful 42"])
            #expect(c.takeNotices().isEmpty, "taken once")
        }
    }
}
