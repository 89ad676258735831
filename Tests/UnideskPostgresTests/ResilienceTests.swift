import Foundation
import Testing
import UnideskProcess
@testable import UnideskPostgres

/// Statements that outlive their timeout, and a server that restarts under a session.
extension PostgresTests {
    @Suite struct TimeoutTests {
        let stack = PGStack()

        @Test func slowStatementIsCancelledAndTheConnectionStays() throws {
            let c = try stack.admin()
            defer { c.close() }
            guard case .int(let pid) = try c.scalar("select pg_backend_pid()") else { Issue.record("no backend pid"); return }
            let started = Date()
            let e = try #require(pgError { try c.execute("select pg_sleep(30)", timeout: 0.5) })
            let elapsed = Date().timeIntervalSince(started)
            #expect(e.kind == .timeout)
            #expect(e.sqlstate == "57014")
            #expect(elapsed >= 0.4 && elapsed < 5, "cancelled after \(elapsed) s")
            #expect(c.isOpen, "a cancel, not a drop")
            #expect(c.transactionState == .idle)
            #expect(try c.scalar("select pg_backend_pid()") == .int(pid), "the same session goes on")

            let observer = try stack.admin()
            defer { observer.close() }
            #expect(try observer.scalar("select state from pg_stat_activity where pid = $1", [.int(pid)]) == .text("idle"))
        }

        @Test func slowStatementAsARoleIsCancelledAndRolledBack() throws {
            let c = try stack.admin()
            defer { c.close() }
            let started = Date()
            let e = try #require(pgError { try c.run("select pg_sleep(30)", options: StatementOptions(role: "unidesk_app", timeout: 0.5)) })
            #expect(e.kind == .timeout)
            #expect(Date().timeIntervalSince(started) < 5)
            #expect(c.transactionState == .idle, "the wrapping transaction was rolled back")
            #expect(try c.scalar("select current_user") == .text(c.user))
        }
    }

    /// Restarts the server: every session of the stack ends, hence nested under the
    /// serialized parent so no other test of this target runs meanwhile.
    @Suite struct RestartTests {
        let stack = PGStack()

        /// The second server of the stack (UNIDESK_PG_RESTARTABLE_*): restarting the one
        /// every other test shares would cut their sessions.
        func restartable(timeout: Double = 10) throws -> PGConnection {
            try PGConnection.connect(try stack.value("UNIDESK_PG_RESTARTABLE_DSN"), timeout: timeout)
        }

        /// Runs $UNIDESK_PG_RESTART on the restartable server and waits for it.
        func restartServer() throws {
            let script = try stack.value("UNIDESK_PG_RESTART")
            var env = ProcessInfo.processInfo.environment
            env["UNIDESK_STACK_DIR"] = try stack.value("UNIDESK_PG_RESTARTABLE_STACK")
            let r = try Command.run([script], environment: env, timeout: 60)
            #expect(r.status == 0 && !r.timedOut, "\(script) failed: \(r.stderrTail())")
        }

        /// Connects, retrying for up to `seconds` while the server comes back.
        func reconnect(within seconds: Double) throws -> PGConnection {
            let deadline = Date().addingTimeInterval(seconds)
            while true {
                do { return try restartable(timeout: 2) } catch let e as PGError where Date() < deadline {
                    _ = e
                    Thread.sleep(forTimeInterval: 0.2)
                }
            }
        }

        @Test func restartMidSessionBreaksCleanlyAndReconnects() throws {
            try withRestartLock(stack) { try restartMidSession() }
        }

        func restartMidSession() throws {
            let c = try reconnect(within: 10)
            defer { c.close() }
            #expect(try c.scalar("select 1") == .int(1))
            try restartServer()

            var started = Date()
            let first = try #require(pgError { try c.execute("select 1", timeout: 10) })
            #expect(first.kind == .network)
            #expect(first.message.contains("connection"), "\(first.message)")
            #expect(Date().timeIntervalSince(started) < 5)
            #expect(!c.isOpen)
            #expect(c.transactionState == .unknown)

            started = Date()
            let second = try #require(pgError { try c.execute("select 1", timeout: 10) })
            #expect(second.kind == .network)
            #expect(second.message.contains("connect again"), "\(second.message)")
            #expect(Date().timeIntervalSince(started) < 1, "a broken connection fails at once")
            #expect(pgError { try c.run("select 1", options: StatementOptions(role: "unidesk_app", timeout: 5)) }?.kind == .network)

            let fresh = try reconnect(within: 10)
            defer { fresh.close() }
            #expect(try fresh.scalar("select 1") == .int(1))
        }
    }
}
