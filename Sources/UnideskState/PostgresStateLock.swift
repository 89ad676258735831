import CSystem
import Foundation
import UnideskPostgres

/// One app's lock: a session-level advisory lock, key (namespace, hashtext(app)), on a
/// connection of its own that lives exactly as long as the lock. Released by
/// pg_advisory_unlock; and by the server when the connection ends, so a killed run
/// (kill -9, a lost machine once keepalives notice) never leaves the lock behind.
/// Advisory locks are per database: every worker must name the same one.
final class PostgresStateLock: StateLock {
    /// The first key of every unidesk lock ("unid"), so other advisory lock users of the
    /// database do not collide with ours.
    static let namespace: Int32 = 0x756e_6964

    let app: String
    let target: String
    private var conn: PGConnection?

    var isHeld: Bool { conn != nil }

    private init(app: String, target: String, connection: PGConnection) {
        self.app = app
        self.target = target
        conn = connection
    }

    static func acquire(_ app: String, wait: Double, store: PostgresStateStore) throws(StateError) -> PostgresStateLock {
        let c = try store.connect()
        // Server-side keepalives: a worker that vanishes without closing its connection
        // (machine lost, network cut) gives its lock back within about a minute rather
        // than the system default of two hours.
        _ = try? c.execute("SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3",
                           timeout: store.timeout(10))
        let key: [PGValue] = [.int(Int64(namespace)), .text(app)]
        let started = monotonic()
        let until = started + max(0, min(wait, store.remaining()))
        while true {
            let got: Bool
            do {
                let r = try c.execute("SELECT pg_try_advisory_lock($1::int4, hashtext($2))", parameters: key, timeout: store.timeout(60))
                got = r.last?.rows.first?.first == .bool(true)
            } catch {
                c.close()
                throw store.statementError(error, doing: "taking the lock on '\(app)'")
            }
            if got { return PostgresStateLock(app: app, target: store.target, connection: c) }
            // The run's remaining time is asked again: a stop (SIGTERM) makes it 0.
            let left = min(until, monotonic() + store.remaining()) - monotonic()
            if left <= 0 || ud_stop_cuts_waits() != 0 {
                let h = holder(of: key, on: c, timeout: store.timeout(10))
                c.close()
                let waited = wait > 0 ? " (waited \(Int((monotonic() - started).rounded())) s)" : ""
                var message = "\(app) is locked by \(h.name)\(waited); another run is deploying it"
                if let session = h.session {
                    message += ". Its session on \(store.target) is \(session); if that run is stuck, SELECT pg_terminate_backend(\(h.pid ?? 0)) frees the lock"
                }
                throw StateError(.busy, message, holder: h.name)
            }
            _ = ud_stop_sleep(min(left, 0.2))
        }
    }

    /// Who holds the lock, from pg_locks and pg_stat_activity: the application_name the
    /// holder connected with ("unidesk pid 812 on ci-worker-3"), else its server session.
    static func holder(of key: [PGValue], on c: PGConnection, timeout: Double) -> (name: String, session: String?, pid: Int64?) {
        let sql = """
            SELECT l.pid, coalesce(a.application_name, ''), coalesce(a.usename::text, ''), coalesce(host(a.client_addr), 'local socket'),
                   coalesce(to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '?')
            FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid = $1::int4::oid AND l.objid = hashtext($2)::oid AND l.objsubid = 2
            LIMIT 1
            """
        guard let row = try? c.execute(sql, parameters: key, timeout: timeout).last?.rows.first, row.count == 5,
              case .int(let pid) = row[0] else {
            return ("another session (it let go just now: try again)", nil, nil)
        }
        func text(_ v: PGValue) -> String { if case .text(let s) = v { return s }; return "" }
        let user = text(row[2]), from = text(row[3]), since = text(row[4])
        let session = "pid \(pid) (user \(user.isEmpty ? "?" : user) from \(from), connected \(since))"
        let name = text(row[1]).isEmpty ? "PostgreSQL session pid \(pid)" : text(row[1])
        return (name, session, pid)
    }

    func release() -> String? {
        guard let c = conn else { return nil }
        conn = nil
        defer { c.close() }
        // Not bounded by the run's deadline: this is clean-up, and closing the connection
        // releases the lock anyway.
        let r = try? c.execute("SELECT pg_advisory_unlock($1::int4, hashtext($2))",
                               parameters: [.int(Int64(Self.namespace)), .text(app)], timeout: 5)
        guard r?.last?.rows.first?.first == .bool(true) else {
            return "the lock on \(app) was lost while it was held: its connection to \(target) broke (a server restart?), so another run may have taken it meanwhile"
        }
        return nil
    }

    deinit { _ = release() }
}

func monotonic() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
