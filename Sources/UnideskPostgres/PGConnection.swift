import CLibPQ
import CSystem
import Foundation

/// One libpq connection. Every wait is bounded: connecting and each statement take a
/// timeout, and a statement that outlives it is cancelled on the server (PQcancel) rather
/// than waited for, because a blocking libpq call cannot be interrupted from outside.
public final class PGConnection {
    private var conn: OpaquePointer?
    /// Why the connection is unusable (closed by the script, or broken), once it is.
    private var unusable: PGError?
    /// The database and the login role, as libpq resolved them.
    public let database: String
    public let user: String
    /// "host:port" or the socket directory, for messages.
    public let server: String
    /// The password libpq sent (from the DSN, PGPASSWORD or the password file), so the
    /// caller can keep it out of logs. Nil when none was needed.
    public let password: String?
    /// NOTICE/WARNING messages the server sent since the last `takeNotices()`.
    private var notices: [String] = []

    /// Connects with `conninfo` (a libpq key=value string or a postgres:// URI; PG*
    /// variables, the password file and service files apply as in psql). Later
    /// `overrides` win over what `conninfo` says (e.g. a different dbname).
    public static func connect(_ conninfo: String, overrides: [(String, String)] = [],
                               timeout: Double) throws(PGError) -> PGConnection {
        // libpq's own parse errors quote the DSN, password included: parse it here first.
        _ = try ConnInfo(parsing: conninfo)
        let keys = ["dbname"] + overrides.map(\.0) + ["fallback_application_name"]
        let values = [conninfo] + overrides.map(\.1) + ["unidesk"]
        let started: OpaquePointer? = withCStringArray(keys) { k in
            withCStringArray(values) { v in PQconnectStartParams(k, v, 1) }
        }
        guard let c = started else { throw PGError(.network, "libpq could not allocate a connection") }
        let deadline = Monotonic.now + timeout
        var poll = PGRES_POLLING_WRITING
        while true {
            if PQstatus(c) == CONNECTION_BAD || poll == PGRES_POLLING_FAILED {
                let e = connectError(c)
                PQfinish(c)
                throw e
            }
            if poll == PGRES_POLLING_OK { break }
            let left = deadline - Monotonic.now
            if left <= 0 {
                let target = describeServer(c)
                PQfinish(c)
                throw PGError(.timeout, "could not connect to \(target) within \(Monotonic.seconds(timeout))")
            }
            let ready = ud_pg_wait_socket(PQsocket(c), poll == PGRES_POLLING_WRITING ? 1 : 0, Monotonic.milliseconds(left), ud_stop_poll_fd())
            if ready == 2 {
                let target = describeServer(c)
                PQfinish(c)
                throw PGError(.timeout, "stopped connecting to \(target): unidesk is stopping (\(stopSignalName))")
            }
            if ready == 0 { continue }
            poll = PQconnectPoll(c)
        }
        return PGConnection(c)
    }

    private init(_ c: OpaquePointer) {
        conn = c
        database = PQdb(c).map { String(cString: $0) } ?? ""
        user = PQuser(c).map { String(cString: $0) } ?? ""
        server = Self.describeServer(c)
        let pass = PQpass(c).map { String(cString: $0) } ?? ""
        password = pass.isEmpty ? nil : pass
        PQsetNoticeReceiver(c, { arg, result in
            guard let arg, let result else { return }
            let me = Unmanaged<PGConnection>.fromOpaque(arg).takeUnretainedValue()
            let severity = PQresultErrorField(result, Int32(UD_PG_DIAG_SEVERITY)).map { String(cString: $0) } ?? "NOTICE"
            let text = PQresultErrorField(result, Int32(UD_PG_DIAG_MESSAGE_PRIMARY)).map { String(cString: $0) } ?? ""
            if me.notices.count < 100 { me.notices.append("\(severity): \(text)") }
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { if let conn { PQfinish(conn) } }

    /// Closes the connection; later calls fail with kind `closed`. Idempotent.
    public func close() {
        if let conn { PQfinish(conn) }
        conn = nil
        if unusable == nil { unusable = PGError(.closed, "the connection to \(database) is closed") }
    }

    /// The libpq connection while it is open (nil once closed or broken off).
    var liveConnection: OpaquePointer? { conn }

    public var isOpen: Bool { conn != nil && unusable == nil }

    /// Notices received since the last call.
    public func takeNotices() -> [String] {
        defer { notices = [] }
        return notices
    }

    public enum TransactionState: Sendable { case idle, inTransaction, failed, unknown }

    public var transactionState: TransactionState {
        guard let conn else { return .unknown }
        switch PQtransactionStatus(conn) {
        case PQTRANS_IDLE: return .idle
        case PQTRANS_INTRANS: return .inTransaction
        case PQTRANS_INERROR: return .failed
        default: return .unknown
        }
    }

    /// `name` as a quoted SQL identifier ("app", "we""ird").
    public func quoteIdentifier(_ name: String) throws(PGError) -> String {
        let c = try live()
        guard let p = PQescapeIdentifier(c, name, name.utf8.count) else {
            throw PGError(.invalid, "cannot quote identifier: \(PQerrorMessage(c).map { String(cString: $0) } ?? "")")
        }
        defer { PQfreemem(p) }
        return String(cString: p)
    }

    /// Whether parameterised statements sent twice are prepared on the server (see
    /// StatementCache). Off by default; `pg.connect` turns it on unless told not to,
    /// because a pooler in transaction mode may run two statements on two server connections.
    public var preparesRepeatedStatements = false
    private var statements = StatementCache()

    /// Runs `sql` and returns every statement's result. With `parameters` it is one
    /// statement sent by the extended protocol, values apart from the SQL text; without,
    /// the simple protocol, which accepts several statements. The first error throws.
    public func execute(_ sql: String, parameters: [PGValue]? = nil, timeout: Double) throws(PGError) -> [PGResult] {
        let c = try live()
        guard let parameters else {
            guard PQsendQuery(c, sql) == 1 else { throw breakOff(PGError(.network, "could not send the statement: \(errorText(c))")) }
            let results = try collect(c, timeout: timeout)
            if results.contains(where: { StatementCache.dropsPrepared(command: $0.command) }) { statements.forgetPrepared() }
            return results
        }
        let deadline = Monotonic.now + timeout
        switch preparesRepeatedStatements ? statements.decide(sql, parameters: parameters.count) : .unnamed {
        case .unnamed:
            return try send(c, sql, parameters, named: nil, timeout: timeout)
        case .prepare(let name):
            guard PQsendPrepare(c, name, sql, Int32(parameters.count), nil) == 1 else {
                throw breakOff(PGError(.network, "could not send the statement: \(errorText(c))"))
            }
            // A statement the server refuses here is refused as its execution would be
            // (same parse and analysis, same error); it is tried again next time.
            _ = try collect(c, timeout: timeout)
            statements.prepared(sql, as: name, parameters: parameters.count)
            return try send(c, sql, parameters, named: name, timeout: deadline - Monotonic.now)
        case .execute(let name):
            do {
                return try send(c, sql, parameters, named: name, timeout: timeout)
            } catch let e where e.sqlstate == "26000" {
                // The server lost the prepared statements (a DEALLOCATE inside a function, a
                // pooler's other server connection). Outside a transaction nothing ran: send
                // it unnamed. Inside one the transaction has failed and the caller must know.
                statements.forgetPrepared()
                if transactionState == .idle { return try send(c, sql, parameters, named: nil, timeout: deadline - Monotonic.now) }
                var e = e
                e.hint = "unidesk prepares a statement sent twice on a connection, and the server no longer had it: pass prepare_repeated = false to pg.connect when a pooler in transaction mode (PgBouncer before 1.21) stands between"
                throw e
            }
        }
    }

    /// Sends one parameterised statement, unnamed or as the prepared statement `name`.
    private func send(_ c: OpaquePointer, _ sql: String, _ parameters: [PGValue], named name: String?, timeout: Double) throws(PGError) -> [PGResult] {
        let texts = parameters.map(\.parameterText)
        let lengths = texts.map { Int32($0?.count ?? 0) }
        let formats = parameters.map { v -> Int32 in if case .bytes = v { return 1 }; return 0 }
        let sent = withByteArrays(texts) { ptrs in
            if let name { return PQsendQueryPrepared(c, name, Int32(parameters.count), ptrs, lengths, formats, 0) }
            return PQsendQueryParams(c, sql, Int32(parameters.count), nil, ptrs, lengths, formats, 0)
        }
        guard sent == 1 else { throw breakOff(PGError(.network, "could not send the statement: \(errorText(c))")) }
        return try collect(c, timeout: max(timeout, 0.001))
    }

    /// Waits for and copies every result of the statement in flight.
    private func collect(_ c: OpaquePointer, timeout: Double) throws(PGError) -> [PGResult] {
        var deadline = Monotonic.now + timeout
        var cancelled = false
        var stopped = false
        var results: [PGResult] = []
        var failure: PGError?
        while true {
            while PQisBusy(c) == 1 {
                let left = deadline - Monotonic.now
                if left <= 0 {
                    if cancelled {
                        throw breakOff(PGError(.timeout, "the server did not answer a cancel request for the statement on \(database) within 5 s; the connection was dropped"))
                    }
                    cancel(c)
                    cancelled = true
                    deadline = Monotonic.now + 5
                    continue
                }
                // A stop (SIGTERM, SIGINT) cancels the statement as its timeout would.
                let ready = ud_pg_wait_socket(PQsocket(c), 0, Monotonic.milliseconds(left), cancelled ? -1 : ud_stop_poll_fd())
                if ready == 2 {
                    stopped = true
                    deadline = Monotonic.now
                    continue
                }
                if ready < 0 || PQconsumeInput(c) == 0 {
                    throw breakOff(PGError(.network, "lost the connection to \(server): \(errorText(c))"))
                }
            }
            guard let r = PQgetResult(c) else { break }
            defer { PQclear(r) }
            switch PQresultStatus(r) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
                if failure == nil { results.append(PGResult(copying: r)) }
            case PGRES_FATAL_ERROR:
                if failure == nil { failure = PGError(result: r) }
            case PGRES_COPY_IN:
                _ = PQputCopyEnd(c, "COPY FROM STDIN is not supported by unidesk")
            case PGRES_COPY_OUT:
                var buf: UnsafeMutablePointer<CChar>?
                while PQgetCopyData(c, &buf, 0) > 0 { PQfreemem(buf) }
                if failure == nil { failure = PGError(.invalid, "COPY TO STDOUT is not supported by unidesk; use a query") }
            default:
                break
            }
        }
        if PQstatus(c) == CONNECTION_BAD {
            let why = failure?.message ?? errorText(c)
            throw breakOff(PGError(.network, "lost the connection to \(server): \(why)"))
        }
        if var failure {
            if cancelled && failure.sqlstate == "57014" {
                failure.kind = .timeout
                failure.cancelledByClient = true
                failure.message = stopped ? "statement cancelled: unidesk is stopping (\(stopSignalName))"
                    : "statement cancelled after \(Monotonic.seconds(timeout)) (its timeout or the run's deadline)"
            }
            throw failure
        }
        return results
    }

    func cancel(_ c: OpaquePointer) {
        guard let token = PQgetCancel(c) else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(token, &buffer, Int32(buffer.count))
        PQfreeCancel(token)
    }

    func live() throws(PGError) -> OpaquePointer {
        if let unusable { throw unusable }
        guard let conn else { throw PGError(.closed, "the connection is closed") }
        return conn
    }

    /// Marks the connection unusable after a failure that leaves its state unknown.
    func breakOff(_ e: PGError) -> PGError {
        var marked = e
        marked.message += e.kind == .timeout ? "" : "; connect again to go on"
        unusable = PGError(e.kind == .timeout ? .timeout : .network,
                           "the connection to \(database) is unusable after an earlier failure (\(e.message)); connect again")
        if let conn { PQfinish(conn) }
        conn = nil
        return marked
    }

    func errorText(_ c: OpaquePointer) -> String {
        Self.clean(PQerrorMessage(c).map { String(cString: $0) } ?? "")
    }

    static func describeServer(_ c: OpaquePointer) -> String {
        let host = PQhost(c).map { String(cString: $0) } ?? ""
        let port = PQport(c).map { String(cString: $0) } ?? ""
        if host.hasPrefix("/") { return "socket \(host)/.s.PGSQL.\(port)" }
        return port.isEmpty ? host : "\(host):\(port)"
    }

    /// libpq's messages end in newlines and pad with double spaces ("FATAL:  …").
    static func clean(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; ")
            .replacingOccurrences(of: ":  ", with: ": ")
    }

    /// A failed connection attempt, sorted into auth / not_found / network. libpq gives
    /// no SQLSTATE here, so the message decides.
    static func connectError(_ c: OpaquePointer) -> PGError {
        let text = clean(PQerrorMessage(c).map { String(cString: $0) } ?? "connection failed")
        let lower = text.lowercased()
        let kind: PGError.Kind
        if lower.contains("invalid port number") || lower.contains("invalid integer value")
            || (lower.contains("invalid") && lower.contains("value for") ) || lower.contains("invalid connection option") {
            // libpq checks some values only when it connects; its message may quote them.
            return PGError(.invalid, "invalid DSN: \(ConnInfo.unquoted(text))")
        }
        if PQconnectionNeedsPassword(c) == 1 || lower.contains("password") || lower.contains("authentication")
            || lower.contains("pg_hba.conf") || (lower.contains("role \"") && lower.contains("does not exist"))
            || lower.contains("not permitted to log in") || lower.contains("permission denied for database") {
            kind = .auth
        } else if lower.contains("database \"") && lower.contains("does not exist") {
            kind = .notFound
        } else if lower.contains("timeout expired") {
            kind = .timeout
        } else {
            kind = .network
        }
        var e = PGError(kind, text)
        if PQconnectionNeedsPassword(c) == 1 { e.hint = "no password was given: put it in the DSN (as a secret), PGPASSWORD or the password file (~/.pgpass, PGPASSFILE)" }
        return e
    }
}

/// CLOCK_MONOTONIC seconds, and the conversions the waits need.
enum Monotonic {
    static var now: Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    static func milliseconds(_ seconds: Double) -> Int32 { Int32(max(1, min(seconds * 1000, 60_000)).rounded(.up)) }
    static func seconds(_ s: Double) -> String { s >= 10 ? "\(Int(s.rounded())) s" : String(format: "%.1f s", s) }
}

func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// NUL-terminated copies: libpq reads text-format parameters as C strings and only
/// binary ones by length.
func withByteArrays<R>(_ arrays: [[UInt8]?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = arrays.map { a in
        guard let a else { return nil }
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: a.count + 1)
        p[a.count] = 0
        a.withUnsafeBufferPointer { src in
            src.baseAddress.map { UnsafeMutableRawPointer(p).copyMemory(from: $0, byteCount: a.count) }
        }
        return p
    }
    defer { copies.forEach { $0?.deallocate() } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// "SIGTERM" or "SIGINT": what asked the process to stop.
var stopSignalName: String { String(cString: ud_stop_signal_name()) }
