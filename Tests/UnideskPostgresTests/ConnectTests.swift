import Foundation
import Testing
@testable import UnideskPostgres

/// Connecting to the real server: what libpq resolved, and each way a login fails.
extension PostgresTests {
    @Suite struct ConnectTests {
        let stack = PGStack()

        @Test func connectsWithAURI() throws {
            let c = try stack.admin()
            defer { c.close() }
            #expect(c.isOpen)
            #expect(c.database == "unidesk_test")
            #expect(c.user == (try stack.value("UNIDESK_PG_ADMIN_USER")))
            #expect(c.password == (try stack.value("UNIDESK_PG_ADMIN_PASSWORD")))
            #expect(c.server == "\(try stack.value("UNIDESK_PG_HOST")):\(try stack.value("UNIDESK_PG_PORT"))")
            #expect(try c.scalar("select current_database()") == .text("unidesk_test"))
            #expect(try c.scalar("select current_setting('application_name')") == .text("unidesk"))
        }

        @Test func overridesWinOverTheDSN() throws {
            let c = try PGConnection.connect(try stack.value("UNIDESK_PG_ADMIN_DSN"), overrides: [("dbname", "postgres")], timeout: 10)
            defer { c.close() }
            #expect(c.database == "postgres")
            #expect(try c.scalar("select current_database()") == .text("postgres"))
        }

        @Test func passwordFromThePasswordFile() throws {
            let dsn = try stack.value("UNIDESK_PG_ADMIN_DSN_NOPASS")
            let c = try withEnvironment(["PGPASSFILE": try stack.value("UNIDESK_PG_PASSFILE")]) {
                try PGConnection.connect(dsn, timeout: 10)
            }
            defer { c.close() }
            #expect(c.password == (try stack.value("UNIDESK_PG_ADMIN_PASSWORD")), "the password libpq sent, so it can be redacted")
            #expect(try c.scalar("select current_user") == .text(try stack.value("UNIDESK_PG_ADMIN_USER")))
        }

        @Test func noPasswordAnywhereIsAuthWithAHint() throws {
            let dsn = try stack.value("UNIDESK_PG_ADMIN_DSN_NOPASS")
            let e = try #require(withEnvironment(["PGPASSFILE": "/nonexistent/pgpass", "PGPASSWORD": nil]) {
                pgError { try PGConnection.connect(dsn, timeout: 10) }
            })
            #expect(e.kind == .auth)
            #expect(e.hint?.contains("PGPASSFILE") == true)
        }

        @Test func serviceFile() throws {
            let env = ["PGSERVICEFILE": try stack.value("UNIDESK_PG_SERVICEFILE"), "PGPASSFILE": try stack.value("UNIDESK_PG_PASSFILE")]
            let c = try withEnvironment(env) { try PGConnection.connect("service=unidesk", timeout: 10) }
            defer { c.close() }
            #expect(c.database == "unidesk_test")
            #expect(c.user == (try stack.value("UNIDESK_PG_ADMIN_USER")))
            #expect(c.password == (try stack.value("UNIDESK_PG_ADMIN_PASSWORD")))
        }

        @Test func wrongPasswordIsAuthAndNotEchoed() throws {
            let host = try stack.value("UNIDESK_PG_HOST"), port = try stack.value("UNIDESK_PG_PORT")
            let e = try #require(pgError {
                try PGConnection.connect("postgresql://unidesk_admin:WrongPass-9431@\(host):\(port)/unidesk_test", timeout: 10)
            })
            #expect(e.kind == .auth)
            #expect(e.message.contains("unidesk_admin"), "the message names the user: \(e.message)")
            #expect(!e.message.contains("WrongPass-9431"))
        }

        @Test func nologinRoleIsAuth() throws {
            let host = try stack.value("UNIDESK_PG_HOST"), port = try stack.value("UNIDESK_PG_PORT")
            let e = try #require(pgError {
                try PGConnection.connect("postgresql://unidesk_nologin:whatever-77@\(host):\(port)/unidesk_test", timeout: 10)
            })
            #expect(e.kind == .auth)
            #expect(!e.message.contains("whatever-77"))
        }

        @Test func missingDatabaseIsNotFound() throws {
            let name = uniqueName("nodb")
            let e = try #require(pgError {
                try PGConnection.connect(try stack.value("UNIDESK_PG_ADMIN_DSN"), overrides: [("dbname", name)], timeout: 10)
            })
            #expect(e.kind == .notFound)
            #expect(e.message.contains(name))
        }

        @Test func refusedPortIsNetwork() throws {
            let started = Date()
            let e = try #require(pgError {
                try PGConnection.connect("host=127.0.0.1 port=1 user=u dbname=d password=pw-31337", timeout: 10)
            })
            #expect(e.kind == .network)
            #expect(e.message.contains("127.0.0.1"))
            #expect(!e.message.contains("pw-31337"))
            #expect(Date().timeIntervalSince(started) < 5, "a refusal is immediate")
        }

        @Test func silentServerTimesOut() throws {
            let hole = try Blackhole()
            let started = Date()
            let e = try #require(pgError {
                try PGConnection.connect("host=127.0.0.1 port=\(hole.port) user=u dbname=d", timeout: 1)
            })
            let elapsed = Date().timeIntervalSince(started)
            #expect(e.kind == .timeout)
            #expect(e.message.contains("127.0.0.1:\(hole.port)"), "the message names the server: \(e.message)")
            #expect(elapsed >= 0.9 && elapsed < 3, "returned after \(elapsed) s for a 1 s timeout")
        }

        /// libpq quotes the whole URI in some parse errors; the connection error must not.
        @Test func malformedURIAtConnectKeepsThePasswordOut() throws {
            let e = try #require(pgError { try PGConnection.connect("postgresql://unidesk_admin:s3cretXYZ@[::1/unidesk_test", timeout: 5) })
            #expect(!e.message.contains("s3cretXYZ"), "the connection error carries the password: \(e.message)")
            #expect(e.kind == .invalid, "a malformed DSN is bad input, not a network failure")
        }

        @Test func badPortAtConnectIsInvalid() throws {
            let e = try #require(pgError { try PGConnection.connect("postgresql://unidesk_admin:pw@127.0.0.1:abc/unidesk_test", timeout: 5) })
            #expect(e.message.contains("port"))
            #expect(e.kind == .invalid, "a malformed DSN is bad input, not a network failure: \(e.kind)")
        }

        @Test func closedConnectionRefusesStatements() throws {
            let c = try stack.admin()
            c.close()
            c.close()
            #expect(!c.isOpen)
            let e = try #require(pgError { try c.execute("select 1", timeout: 5) })
            #expect(e.kind == .closed)
        }
    }
}

/// A TCP listener that never accepts: the kernel completes the handshake into the
/// backlog and nothing ever answers, like a server that hangs.
final class Blackhole {
    let fd: Int32
    let port: Int

    struct SocketError: Error { let call: String }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(call: "socket") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, len) == 0 && listen(fd, 8) == 0 && getsockname(fd, sa, &len) == 0
            }
        }
        guard bound else { Glibc.close(fd); throw SocketError(call: "bind/listen") }
        self.fd = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit { Glibc.close(fd) }
}
