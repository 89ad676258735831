import Testing
@testable import UnideskPostgres

/// conn:exec_many's engine (runBatch: libpq pipeline mode) against the real server.
extension PostgresTests {
    @Suite struct PipelineTests {
        let stack = PGStack()

        func table(_ c: PGConnection) throws -> String {
            let t = uniqueName("t_batch")
            try c.exec("create table \(t) (id int primary key, name text, score float8, blob bytea)")
            return t
        }

        func rows(_ range: ClosedRange<Int>) -> [[PGValue]] {
            range.map { i in [.int(Int64(i)), .text("name-\(i)"), .double(Double(i) / 2), .bytes([0, UInt8(i % 256), 0xff])] }
        }

        @Test func everyRowIsInsertedAndTheTotalIsReturned() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = try table(c)
            defer { stack.cleanup("drop table if exists \(t)") }
            // More rows than one slice and than the socket buffers hold: sending and reading interleave.
            let r = try c.runBatch("insert into \(t) (id, name, score, blob) values ($1, $2, $3, $4)", rows: rows(1...5000), options: StatementOptions(timeout: 60))
            #expect(r.command == "INSERT")
            #expect(r.affected == 5000)
            #expect(try c.count(t) == 5000)
            #expect(try c.scalar("select sum(score) from \(t)") == .double(Double(5000 * 5001) / 4))
            #expect(try c.scalar("select encode(blob, 'hex') from \(t) where id = 300") == .text("002cff"), "bytea is sent as binary")
            #expect(c.isOpen && c.transactionState == .idle, "the connection is back out of pipeline mode")
            let u = try c.runBatch("update \(t) set name = $2 where id <= $1", rows: [[.int(10), .text("x")], [.int(0), .text("y")], [.int(3), .null]],
                                   options: StatementOptions(timeout: 20))
            #expect(u.command == "UPDATE" && u.affected == 13)
            #expect(try c.runBatch("insert into \(t) (id) values ($1)", rows: [], options: StatementOptions(timeout: 5)).affected == 0)
        }

        @Test func theFirstFailingRowStopsTheBatchAndNothingIsKept() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = try table(c)
            defer { stack.cleanup("drop table if exists \(t)") }
            var batch = rows(1...1000)
            batch[699] = [.int(5), .text("again"), .double(0), .null]   // row 700 repeats id 5
            batch[899] = [.text("not a number"), .null, .null, .null]    // never reached
            let e = try #require(pgError { try c.runBatch("insert into \(t) (id, name, score, blob) values ($1, $2, $3, $4)", rows: batch, options: StatementOptions(timeout: 30)) })
            #expect(e.kind == .sql && e.sqlstate == "23505" && e.row == 700)
            #expect(e.message.hasSuffix("(row 700 of 1000)"), "\(e.message)")
            #expect(e.errorFields.contains { $0.0 == "row" && $0.1 == .int(700) })
            #expect(try c.count(t) == 0, "outside a transaction the batch is one implicit transaction")
            #expect(c.isOpen && c.transactionState == .idle)

            let bad = try #require(pgError { try c.runBatch("insert into no_such_table_\(t) values ($1)", rows: [[.int(1)]], options: StatementOptions(timeout: 10)) })
            #expect(bad.sqlstate == "42P01" && bad.row == nil, "the statement itself was refused, not a row")
            let multi = try #require(pgError { try c.runBatch("insert into \(t) (id) values ($1); select 1", rows: [[.int(1)]], options: StatementOptions(timeout: 10)) })
            #expect(multi.sqlstate == "42601")
            #expect(c.isOpen)
        }

        @Test func insideATransactionAFailedRowAbortsIt() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = try table(c)
            defer { stack.cleanup("drop table if exists \(t)") }
            try c.begin(timeout: 10)
            try c.exec("insert into \(t) (id) values (0)")
            let r = try c.runBatch("insert into \(t) (id) values ($1)", rows: [[.int(1)], [.int(2)]], options: StatementOptions(timeout: 10))
            #expect(r.affected == 2 && c.transactionState == .inTransaction)
            let e = try #require(pgError { try c.runBatch("insert into \(t) (id) values ($1)", rows: [[.int(3)], [.int(1)]], options: StatementOptions(timeout: 10)) })
            #expect(e.row == 2 && e.sqlstate == "23505")
            #expect(c.transactionState == .failed)
            let commit = try #require(pgError { try c.commit(rollback: false, timeout: 10) })
            #expect(commit.sqlstate == "25P02")
            #expect(try c.count(t) == 0)
        }

        @Test func asARoleAndInPlanMode() throws {
            let c = try stack.admin()
            defer { c.close() }
            let t = try table(c)
            defer { stack.cleanup("drop table if exists \(t)") }
            let sql = "insert into \(t) (id) values ($1)"
            let denied = try #require(pgError { try c.runBatch(sql, rows: [[.int(1)]], options: StatementOptions(role: "unidesk_app", timeout: 10)) })
            #expect(denied.sqlstate == "42501" && denied.row == 1)
            #expect(try c.scalar("select current_user::text") == .text("unidesk_admin"))
            let planned = try c.runBatch(sql, rows: [[.int(1)], [.int(2)], [.int(3)]], options: StatementOptions(rollback: true, timeout: 10))
            #expect(planned.affected == 3)
            #expect(try c.count(t) == 0, "plan mode rolls the batch back")
            #expect(try c.scalar("show lock_timeout") == .text("0"), "the plan's limits were local to its transaction")
            let s = uniqueName("t_serial")
            try c.exec("create table \(s) (id serial primary key, v int)")
            defer { stack.cleanup("drop table if exists \(s)") }
            let seq = try #require(pgError { try c.runBatch("insert into \(s) (v) values ($1)", rows: [[.int(1)]], options: StatementOptions(rollback: true, timeout: 10)) })
            #expect(seq.unverified, "a batch that would advance a sequence is not run in plan mode")
            let vacuum = try #require(pgError { try c.runBatch("vacuum \(t)", rows: [[]], options: StatementOptions(timeout: 10)) })
            #expect(vacuum.kind == .invalid)
        }

        @Test func aBatchPastItsTimeoutIsCancelled() throws {
            let c = try stack.admin()
            defer { c.close() }
            let started = ContinuousClock.now
            let e = try #require(pgError { try c.runBatch("select pg_sleep($1)", rows: [[.double(0.01)], [.int(30)], [.int(30)]], options: StatementOptions(timeout: 0.5)) })
            #expect(e.kind == .timeout && e.row == 2, "\(e)")
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(c.isOpen && c.transactionState == .idle, "a cancelled batch leaves the connection usable")
            #expect(try c.scalar("select 1") == .int(1))
        }
    }
}
