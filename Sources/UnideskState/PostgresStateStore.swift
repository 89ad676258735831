import Foundation
import UnideskData
import UnideskPostgres

/// State in one PostgreSQL table, shared by every CI worker that connects to the same
/// database:
///
///     unidesk_state(key text primary key, value jsonb not null,
///                   updated_at timestamptz not null default now(), updated_by text)
///
/// created on first use when missing, except by a plan (the name resolves through the connection's
/// search_path). Each call is one statement, so a write is atomic. Locks are session-level
/// advisory locks (`PostgresStateLock`). Connections are opened on first use: a run that
/// never touches state never connects.
public final class PostgresStateStore: StateStore {
    public static let table = "unidesk_state"
    public static let createTable = """
        CREATE TABLE IF NOT EXISTS unidesk_state (
          key text PRIMARY KEY,
          value jsonb NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now(),
          updated_by text)
        """

    let conninfo: String
    let target: String
    let identity: String
    /// Seconds left before the run's deadline; every wait is bounded by it.
    let remaining: () -> Double
    /// Told each password libpq actually sent (the DSN's, PGPASSWORD's or the password
    /// file's), so the caller can keep it out of every output.
    let sawPassword: (String) -> Void
    /// False in plan mode: a missing table is then read as empty, not created.
    let mayCreateTable: Bool
    private var data: PGConnection?
    /// Whether the table is known to exist (nil: not looked yet).
    private var tableExists: Bool?
    private var held: [PostgresStateLock] = []

    /// Checks `conninfo` (a libpq key=value string or postgres:// URI) without connecting.
    public init(conninfo: String, identity: String = StateIdentity.current,
                remaining: @escaping () -> Double = { .infinity }, mayCreateTable: Bool = true,
                sawPassword: @escaping (String) -> Void = { _ in }) throws(StateError) {
        self.mayCreateTable = mayCreateTable
        let info: ConnInfo
        do { info = try ConnInfo(parsing: conninfo) } catch {
            throw StateError(.invalid, "--state-db / UNIDESK_STATE_DB: \(error.message)")
        }
        self.conninfo = conninfo
        self.identity = identity
        self.remaining = remaining
        self.sawPassword = sawPassword
        target = Self.describe(info, environment: ProcessInfo.processInfo.environment)
    }

    public var location: String { "PostgreSQL \(target)" }

    /// "host:port/dbname" as libpq will resolve it (DSN, then PG* variables, then the
    /// defaults), never the password.
    static func describe(_ info: ConnInfo, environment env: [String: String]) -> String {
        func value(_ key: String, _ variable: String) -> String? {
            (info.options[key] ?? env[variable]).flatMap { $0.isEmpty ? nil : $0 }
        }
        let host = value("host", "PGHOST") ?? value("hostaddr", "PGHOSTADDR") ?? "localhost (socket)"
        let port = value("port", "PGPORT") ?? "5432"
        let db = value("dbname", "PGDATABASE") ?? value("user", "PGUSER") ?? "the user's database"
        return "\(host):\(port)/\(db)"
    }

    func timeout(_ cap: Double) -> Double { max(0.001, min(cap, remaining())) }

    /// A new connection named after this process (pg_stat_activity shows it, and a busy
    /// lock names its holder from it).
    func connect() throws(StateError) -> PGConnection {
        do {
            let c = try PGConnection.connect(conninfo, overrides: [("application_name", identity)], timeout: timeout(10))
            if let p = c.password { sawPassword(p) }
            return c
        } catch {
            throw connectionError(error)
        }
    }

    func connectionError(_ e: PGError) -> StateError {
        switch e.kind {
        case .auth:
            return StateError(.auth, "the state database \(target) refused the login: \(e.message). Check the user and password of --state-db / UNIDESK_STATE_DB (PGPASSWORD or a password file keeps the password off the command line)")
        case .notFound:
            return StateError(.notFound, "the state database \(target) does not exist: \(e.message). Create it, or name another in --state-db / UNIDESK_STATE_DB")
        case .invalid:
            return StateError(.invalid, "--state-db / UNIDESK_STATE_DB: \(e.message)")
        case .timeout:
            return StateError(.timeout, "cannot reach the state database \(target): \(e.message). Check that the server is up and reachable from this machine, or run with files (no --state-db)")
        default:
            return StateError(.network, "cannot reach the state database \(target): \(e.message). Check --state-db / UNIDESK_STATE_DB (host and port) and that the server is up and reachable from this machine")
        }
    }

    /// A failed statement: the server's SQLSTATE and message, and what usually fixes it.
    func statementError(_ e: PGError, doing what: String) -> StateError {
        guard e.kind == .sql else {
            if e.kind == .network || e.kind == .timeout {
                return StateError(e.kind == .network ? .network : .timeout, "state database \(target), \(what): \(e.message)")
            }
            return connectionError(e)
        }
        var message = "state database \(target), \(what): \(e.message) (SQLSTATE \(e.sqlstate ?? "?"))"
        switch e.sqlstate ?? "" {
        case "42501":
            message += "; the role needs CREATE on the schema for the first run (or an owner creates \(Self.table) beforehand), then SELECT, INSERT, UPDATE and DELETE on \(Self.table)"
        case "42P01":
            message += "; \(Self.table) was dropped while this run used it; the next run creates it again"
        case let s where s.hasPrefix("42"):
            message += "; a table named \(Self.table) with another shape is in the way: expected (key text primary key, value jsonb not null, updated_at timestamptz not null default now(), updated_by text)"
        default: break
        }
        return StateError(.sql, message, sqlstate: e.sqlstate)
    }

    /// The shared connection, (re)connected when needed, with the table in place.
    func connection() throws(StateError) -> PGConnection {
        let c: PGConnection
        if let data, data.isOpen { c = data } else {
            c = try connect()
            data = c
        }
        if tableExists != true { tableExists = try ensureTable(c) }
        return c
    }

    /// Creates the table when it is missing (unless in plan mode); whether it exists now.
    /// A role that may only read and write an existing table never sends CREATE; two
    /// workers creating it at once race on the catalog (23505, 42P07), which means it
    /// exists now.
    func ensureTable(_ c: PGConnection) throws(StateError) -> Bool {
        do {
            let r = try c.execute("SELECT to_regclass($1) IS NOT NULL", parameters: [.text(Self.table)], timeout: timeout(60))
            if r.last?.rows.first?.first == .bool(true) { return true }
            guard mayCreateTable else { return false }
            _ = try c.execute(Self.createTable, timeout: timeout(60))
            return true
        } catch {
            if error.kind == .sql && (error.sqlstate == "23505" || error.sqlstate == "42P07") { return true }
            throw statementError(error, doing: "creating \(Self.table)")
        }
    }

    /// False when the table is missing and may not be created: nothing is stored yet.
    func hasTable() throws(StateError) -> Bool {
        _ = try connection()
        return tableExists == true
    }

    func run(_ sql: String, _ parameters: [PGValue], doing what: String) throws(StateError) -> PGResult {
        let c = try connection()
        do {
            return try c.execute(sql, parameters: parameters, timeout: timeout(60)).last
                ?? PGResult(command: "", affected: nil, columns: [], rows: [])
        } catch {
            throw statementError(error, doing: what)
        }
    }

    public func get(_ key: String) throws(StateError) -> DataValue? {
        try StateKey.validate(key)
        guard try hasTable() else { return nil }
        let r = try run("SELECT value FROM unidesk_state WHERE key = $1", [.text(key)], doing: "reading '\(key)'")
        switch r.rows.first?.first {
        case nil, .null?: return nil
        case .json(let v)?: return v
        case .text(let t)?:
            throw StateError(.corrupt, "state database \(target): the value of '\(key)' is not JSON (\(t.prefix(40)))")
        case let other?:
            throw StateError(.corrupt, "state database \(target): the value of '\(key)' is not JSON (\(other))")
        }
    }

    public func set(_ key: String, _ value: DataValue) throws(StateError) {
        try StateKey.validate(key)
        _ = try run("""
            INSERT INTO unidesk_state (key, value, updated_by) VALUES ($1, $2::jsonb, $3)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now(), updated_by = excluded.updated_by
            """, [.text(key), .json(value), .text(identity)], doing: "writing '\(key)'")
    }

    public func delete(_ key: String) throws(StateError) -> Bool {
        try StateKey.validate(key)
        let r = try run("DELETE FROM unidesk_state WHERE key = $1", [.text(key)], doing: "deleting '\(key)'")
        return (r.affected ?? 0) > 0
    }

    public func keys(prefix: String) throws(StateError) -> [String] {
        // The prefix is literal: '_' and '%' are LIKE wildcards, '\' its escape.
        let pattern = prefix.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        guard try hasTable() else { return [] }
        let r = try run(#"SELECT key FROM unidesk_state WHERE key LIKE $1 ESCAPE '\' ORDER BY key COLLATE "C""#,
                        [.text(pattern)], doing: "listing keys under '\(prefix)'")
        return r.rows.compactMap { if case .text(let k)? = $0.first { return k }; return nil }
    }

    public func lock(_ app: String, wait: Double) throws(StateError) -> any StateLock {
        try StateKey.validate(app)
        let l = try PostgresStateLock.acquire(app, wait: wait, store: self)
        held.removeAll { !$0.isHeld }
        held.append(l)
        return l
    }

    public func close() {
        held.forEach { _ = $0.release() }
        held = []
        data?.close()
        data = nil
    }
}
