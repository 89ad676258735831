import Testing
@testable import UnideskPostgres

/// A parameterised statement without a result, sent twice, is prepared on the server once
/// and then executed by name; the outcome of every call is what it would be unnamed.
extension PostgresTests {
    @Suite struct PreparedStatementTests {
        let stack = PGStack()

        /// A connection that prepares repeated statements, as pg.connect's are.
        func connection() throws -> PGConnection {
            let c = try stack.admin()
            c.preparesRepeatedStatements = true
            return c
        }

        /// The session's prepared statements, as "name: statement".
        func prepared(_ c: PGConnection) throws -> [String] {
            let r = try c.execute("select name, statement from pg_prepared_statements order by prepare_time, name", timeout: 10)
            return r.last?.rows.map { row in
                guard case .text(let name) = row[0], case .text(let sql) = row[1] else { return "?" }
                return "\(name): \(sql)"
            } ?? []
        }

        /// A new table (id, name) for one test; the test drops it.
        func table(on c: PGConnection) throws -> String {
            let t = uniqueName("t_prep")
            try c.exec("create table \(t) (id int primary key, name text)")
            return t
        }

        func insert(_ c: PGConnection, _ table: String, _ id: Int64) throws(PGError) -> PGResult? {
            try c.execute("insert into \(table) (id, name) values ($1, $2)", parameters: [.int(id), .text("n\(id)")], timeout: 10).last
        }

        @Test func anInsertSentTwiceIsPreparedOnceAndKeepsItsOutcome() throws {
            let c = try connection()
            defer { c.close() }
            let t = try table(on: c)
            defer { stack.cleanup("drop table if exists \(t)") }
            #expect(try insert(c, t, 1)?.affected == 1)
            #expect(try prepared(c).isEmpty, "a statement sent once is not prepared")
            #expect(try insert(c, t, 2)?.affected == 1)
            #expect(try insert(c, t, 3)?.command == "INSERT 0 1")
            #expect(try prepared(c) == ["unidesk_s1: insert into \(t) (id, name) values ($1, $2)"])
            #expect(try c.count(t) == 3)
            // A refusal of the prepared statement is the server's error for the statement.
            let e = try #require(pgError { try insert(c, t, 2) })
            #expect(e.sqlstate == "23505" && e.constraint == "\(t)_pkey")
            #expect(c.transactionState == .idle)
        }

        @Test func statementsWithResultsAreNeverPrepared() throws {
            let c = try connection()
            defer { c.close() }
            let t = try table(on: c)
            defer { stack.cleanup("drop table if exists \(t)") }
            for id in Int64(1)...3 {
                _ = try c.execute("insert into \(t) (id, name) values ($1, 'r') returning id", parameters: [.int(id)], timeout: 10)
                _ = try c.execute("select name from \(t) where id = $1", parameters: [.int(id)], timeout: 10)
                _ = try c.execute("with x as (select $1::int as id) delete from \(t) where id in (select id from x)", parameters: [.int(id + 100)], timeout: 10)
            }
            #expect(try prepared(c).isEmpty)
        }

        @Test func offByDefaultOnALibraryConnection() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = try table(on: c)
            defer { stack.cleanup("drop table if exists \(t)") }
            for id in Int64(1)...3 { _ = try insert(c, t, id) }
            #expect(try prepared(c).isEmpty, "the state store and other library users may sit behind a pooler")
        }

        @Test func aStatementRefusedAtPreparingIsRefusedEachTime() throws {
            let c = try connection()
            defer { c.close() }
            let t = uniqueName("t_missing")
            var messages: [String] = []
            for id in Int64(1)...3 {
                let e = try #require(pgError { try insert(c, t, id) })
                #expect(e.sqlstate == "42P01")
                messages.append(e.message)
            }
            #expect(Set(messages).count == 1, "the same error each time: \(messages)")
            try c.exec("create table \(t) (id int primary key, name text)")
            defer { stack.cleanup("drop table if exists \(t)") }
            #expect(try insert(c, t, 1)?.affected == 1, "prepared once the table exists")
            #expect(try prepared(c).count == 1)
        }

        @Test func discardAndDeallocateAreFollowed() throws {
            let c = try connection()
            defer { c.close() }
            let t = try table(on: c)
            defer { stack.cleanup("drop table if exists \(t)") }
            _ = try insert(c, t, 1)
            _ = try insert(c, t, 2)
            try c.exec("discard all")
            #expect(try prepared(c).isEmpty)
            #expect(try insert(c, t, 3)?.affected == 1, "sent unnamed after DISCARD ALL")
            #expect(try insert(c, t, 4)?.affected == 1)
            #expect(try prepared(c) == ["unidesk_s2: insert into \(t) (id, name) values ($1, $2)"], "prepared again, under a new name")
            // A DEALLOCATE the connection cannot see (inside a function): the next call,
            // outside a transaction, is sent again unnamed and succeeds.
            try c.exec("do $$ begin execute 'deallocate all'; end $$")
            #expect(try insert(c, t, 5)?.affected == 1)
            #expect(try c.count(t) == 5)
        }

        @Test func aLostStatementInsideATransactionFailsWithAHint() throws {
            let c = try connection()
            defer { c.close() }
            let t = try table(on: c)
            defer { stack.cleanup("drop table if exists \(t)") }
            _ = try insert(c, t, 1)
            _ = try insert(c, t, 2)
            try c.exec("begin")
            try c.exec("do $$ begin execute 'deallocate all'; end $$")
            let e = try #require(pgError { try insert(c, t, 3) })
            #expect(e.sqlstate == "26000")
            #expect(e.hint?.contains("prepare_repeated = false") == true)
            #expect(c.transactionState == .failed)
            try c.exec("rollback")
            #expect(try insert(c, t, 3)?.affected == 1, "outside the transaction the statement runs")
        }

        @Test func aStatementPreparedAsTheOwnerIsStillRefusedToARole() throws {
            let c = try connection()
            defer { c.close() }
            let t = try table(on: c)
            defer { stack.cleanup("drop table if exists \(t)") }
            try c.exec("grant select on \(t) to unidesk_app")
            _ = try insert(c, t, 1)
            _ = try insert(c, t, 2)
            #expect(try prepared(c).count == 1)
            let e = try #require(pgError {
                try c.run("insert into \(t) (id, name) values ($1, $2)", parameters: [.int(3), .text("n3")],
                          options: StatementOptions(role: "unidesk_app", timeout: 10))
            })
            #expect(e.sqlstate == "42501", "permissions are checked when the statement runs, as the role")
            #expect(try c.count(t) == 2)
        }
    }

    @Suite struct StatementCacheTests {
        @Test(arguments: [
            ("insert into t values ($1)", true),
            ("  -- a comment\n UPDATE t SET a = $1 WHERE id = $2;", true),
            ("delete from t where id = $1", true),
            ("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", true),
            ("insert into t values ($1) returning id", false),
            ("insert into t values ('returning') ", true),
            ("select $1", false),
            ("with x as (select 1) insert into t select * from x", false),
            ("insert into t values ($1); select 1", false),
            ("", false),
        ])
        func whichStatementsArePrepared(sql: String, prepared: Bool) {
            #expect(StatementCache.returnsNoRows(sql) == prepared)
        }

        @Test func theSecondSendPreparesAndTheThirdExecutes() {
            var cache = StatementCache()
            let sql = "insert into t values ($1)"
            #expect(cache.decide(sql, parameters: 1) == .unnamed)
            #expect(cache.decide(sql, parameters: 1) == .prepare("unidesk_s1"))
            cache.prepared(sql, as: "unidesk_s1", parameters: 1)
            #expect(cache.decide(sql, parameters: 1) == .execute("unidesk_s1"))
            #expect(cache.decide(sql, parameters: 2) == .unnamed, "another count of values is sent as it is")
            cache.forgetPrepared()
            #expect(cache.decide(sql, parameters: 1) == .prepare("unidesk_s2"), "names are never reused")
            #expect(cache.decide("select $1", parameters: 1) == .unnamed)
            #expect(cache.decide("select $1", parameters: 1) == .unnamed)
        }

        @Test func itRemembersAtMostItsCapacity() {
            var cache = StatementCache()
            for i in 0..<StatementCache.capacity { _ = cache.decide("insert into t\(i) values ($1)", parameters: 1) }
            let late = "insert into late values ($1)"
            #expect(cache.decide(late, parameters: 1) == .unnamed)
            #expect(cache.decide(late, parameters: 1) == .unnamed, "a text past the capacity is never prepared")
            #expect(cache.decide("insert into t0 values ($1)", parameters: 1) == .prepare("unidesk_s1"))
        }
    }
}
