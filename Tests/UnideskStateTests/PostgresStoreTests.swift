import Foundation
import Testing
import UnideskData
import UnideskPostgres
@testable import UnideskState

/// What only the PostgreSQL backend has: its table, the server's permissions, a server
/// that is not there, locks that live on a connection.
@Suite struct PostgresStoreTests {
    @Test func theTableIsCreatedOnFirstUseAndRowsSayWhoWroteThem() throws {
        let db = try ScratchDatabase()
        defer { db.drop() }
        #expect(try db.query("SELECT to_regclass('unidesk_state') IS NULL") == [[.bool(true)]])
        let s = try PostgresStateStore(conninfo: try db.conninfo(), identity: "unidesk pid 7 on test-host")
        defer { s.close() }
        #expect(try s.get("shop/x") == nil)
        let columns = try db.query("""
            SELECT column_name::text, data_type::text, is_nullable::text FROM information_schema.columns
            WHERE table_name = 'unidesk_state' ORDER BY ordinal_position
            """)
        #expect(columns == [["key", "text", "NO"], ["value", "jsonb", "NO"], ["updated_at", "timestamp with time zone", "NO"],
                            ["updated_by", "text", "YES"]].map { $0.map { PGValue.text($0) } })
        try s.set("shop/x", .object([("v", .int(1))]))
        let row = try db.query("SELECT value->>'v', updated_by, updated_at > now() - interval '1 minute' FROM unidesk_state WHERE key = 'shop/x'")
        #expect(row == [[.text("1"), .text("unidesk pid 7 on test-host"), .bool(true)]])
    }

    @Test func aPlanReadsAMissingTableAsEmptyAndDoesNotCreateIt() throws {
        let db = try ScratchDatabase()
        defer { db.drop() }
        let s = try PostgresStateStore(conninfo: try db.conninfo(), mayCreateTable: false)
        defer { s.close() }
        #expect(try s.get("shop/x") == nil)
        #expect(try s.keys(prefix: "") == [])
        #expect(try db.query("SELECT to_regclass('unidesk_state') IS NULL") == [[.bool(true)]], "nothing created")
    }

    @Test func aRoleWithoutCreateGetsTheSQLStateAndWhatItNeeds() throws {
        let db = try ScratchDatabase()
        defer { db.drop() }
        // PostgreSQL 15: only the owner may create in the public schema of a new database.
        let app = try PostgresStateStore(conninfo: try db.conninfo("UNIDESK_PG_APP_DSN"))
        defer { app.close() }
        let e = stateError { try app.set("shop/x", .int(1)) }
        #expect(e?.kind == .sql && e?.sqlstate == "42501", "\(e?.message ?? "")")
        #expect(e?.message.contains("permission denied for schema public (SQLSTATE 42501)") == true, "\(e?.message ?? "")")
        #expect(e?.message.contains("needs CREATE on the schema") == true, "\(e?.message ?? "")")

        // An owner creates the table beforehand and grants the four privileges: that is enough.
        let admin = try db.connect()
        defer { admin.close() }
        _ = try admin.execute(PostgresStateStore.createTable + "; GRANT SELECT, INSERT, UPDATE, DELETE ON unidesk_state TO unidesk_app", timeout: 10)
        let again = try PostgresStateStore(conninfo: try db.conninfo("UNIDESK_PG_APP_DSN"))
        defer { again.close() }
        try again.set("shop/x", .int(2))
        #expect(try again.get("shop/x") == .int(2))
        #expect(try again.delete("shop/x"))
        // And a lock needs no privilege at all.
        #expect(try again.lock("shop", wait: 0).release() == nil)
    }

    @Test func aTableOfAnotherShapeIsNamedWithItsSQLState() throws {
        let db = try ScratchDatabase()
        defer { db.drop() }
        _ = try db.query("CREATE TABLE unidesk_state (key text PRIMARY KEY, val text)")
        let s = try PostgresStateStore(conninfo: try db.conninfo())
        defer { s.close() }
        let e = stateError { try s.set("shop/x", .int(1)) }
        #expect(e?.kind == .sql && e?.sqlstate == "42703", "\(e?.message ?? "")")
        #expect(e?.message.contains("column \"value\" of relation \"unidesk_state\" does not exist (SQLSTATE 42703)") == true, "\(e?.message ?? "")")
        #expect(e?.message.contains("another shape") == true, "\(e?.message ?? "")")
    }

    @Test func anUnreachableServerIsNamedWithoutThePassword() throws {
        let password = "Sekr3t-\(UUID().uuidString.prefix(6))"
        let s = try PostgresStateStore(conninfo: "host=127.0.0.1 port=1 user=ci password=\(password) dbname=state connect_timeout=5")
        defer { s.close() }
        let e = stateError { try s.get("shop/x") }
        #expect(e?.kind == .network, "\(e?.message ?? "")")
        #expect(e?.message.hasPrefix("cannot reach the state database 127.0.0.1:1/state") == true, "\(e?.message ?? "")")
        #expect(e?.message.contains("--state-db") == true, "says what to check: \(e?.message ?? "")")
        #expect(e?.message.contains(password) == false)
        #expect(stateError { try s.lock("shop", wait: 0) }?.kind == .network)

        // A malformed DSN is refused before connecting, without quoting it.
        let bad = stateError { try PostgresStateStore(conninfo: "host=x password='\(password)") }
        #expect(bad?.kind == .invalid && bad?.message.contains(password) == false, "\(bad?.message ?? "")")
    }

    @Test func theLockIsTheServersAdvisoryLockOnItsOwnNamedConnection() throws {
        let db = try ScratchDatabase()
        defer { db.drop() }
        let s = try PostgresStateStore(conninfo: try db.conninfo(), identity: "unidesk pid 4242 on worker-7")
        defer { s.close() }
        let held = try s.lock("shop", wait: 0)
        let rows = try db.query("""
            SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid = $1::int4::oid AND l.objid = hashtext('shop')::oid
            """, [.int(Int64(PostgresStateLock.namespace))])
        #expect(rows == [[.text("unidesk pid 4242 on worker-7")]])
        // psql sees it too: the documented key takes no second lock.
        #expect(try db.query("SELECT pg_try_advisory_lock(\(PostgresStateLock.namespace), hashtext('shop'))") == [[.bool(false)]])
        let other = try PostgresStateStore(conninfo: try db.conninfo())
        defer { other.close() }
        let e = stateError { try other.lock("shop", wait: 0) }
        #expect(e?.holder == "unidesk pid 4242 on worker-7", "\(e?.message ?? "")")
        #expect(e?.message.contains("pg_terminate_backend(") == true, "says how to break a stuck lock: \(e?.message ?? "")")
        #expect(held.release() == nil)
        #expect(try db.query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") == [[.int(0)]], "released on the server")
    }

    @Test func closingTheStoreReleasesItsLocks() throws {
        let db = try ScratchDatabase()
        defer { db.drop() }
        let s = try PostgresStateStore(conninfo: try db.conninfo())
        _ = try s.lock("shop", wait: 0)
        s.close()
        let other = try PostgresStateStore(conninfo: try db.conninfo())
        defer { other.close() }
        #expect(try other.lock("shop", wait: 0).release() == nil)
    }

    @Test func waitingStopsAtTheRunsDeadline() throws {
        let db = try ScratchDatabase()
        defer { db.drop() }
        let holder = try PostgresStateStore(conninfo: try db.conninfo())
        defer { holder.close() }
        let held = try holder.lock("shop", wait: 0)
        defer { _ = held.release() }
        let deadline = Date().addingTimeInterval(1)
        let waiter = try PostgresStateStore(conninfo: try db.conninfo(), remaining: { max(0, deadline.timeIntervalSinceNow) })
        defer { waiter.close() }
        let t0 = Date()
        let e = stateError { try waiter.lock("shop", wait: 600) }
        let waited = Date().timeIntervalSince(t0)
        #expect(e?.kind == .busy)
        #expect(waited < 3, "asked for 600 s, the run had 1 s left: waited \(waited) s")
    }

    @Test func aLockWhoseConnectionWasKilledSaysItWasLost() throws {
        let db = try ScratchDatabase()
        defer { db.drop() }
        let s = try PostgresStateStore(conninfo: try db.conninfo(), identity: "unidesk lost-lock test \(UUID().uuidString.prefix(6))")
        defer { s.close() }
        let held = try s.lock("shop", wait: 0)
        _ = try db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                         [.text(s.identity)])
        // The server gave the lock back when the session ended: another run can take it…
        let other = try PostgresStateStore(conninfo: try db.conninfo())
        defer { other.close() }
        #expect(try other.lock("shop", wait: 5).release() == nil)
        // …and the run that thought it held it is told on release.
        let warning = held.release()
        #expect(warning?.contains("the lock on shop was lost while it was held") == true, "\(warning ?? "nil")")
    }
}
