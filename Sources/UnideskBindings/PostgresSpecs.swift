import UnideskCore

/// The descriptions of `unidesk.pg`: one per function, driving checks, docs and stubs.
enum PostgresSpecs {
    static let params = Param("params", .array(.any), optional: true,
                              "values for $1, $2, … sent apart from the SQL text (never interpolated); unidesk.null for NULL, a table is sent as JSON")
    static let timeout = Param("timeout", .number, optional: true, "seconds (default: the run's deadline); past it the statement is cancelled on the server")
    static let role = Param("role", .string, optional: true, "run as this role (SET LOCAL ROLE in a transaction, quoted safely); the connection is left as it was")
    /// Plan mode's bounds on a write's verification, per call (over the connection's).
    static let planLockTimeout = Param("plan_lock_timeout", .number, optional: true,
                                       "plan mode: seconds the verification of a write waits for a lock before it gives up and reports the write \"not verified: lock not available\" (default: the connection's, 2 s)")
    static let planStatementTimeout = Param("plan_statement_timeout", .number, optional: true,
                                            "plan mode: seconds the verification of a write may run before the server cancels it and it is reported \"not verified: statement timeout\" (default: the connection's, 30 s)")
    static let planVerification = "In plan mode a write runs inside a transaction that is always rolled back (\"verified by rollback\"), with SET LOCAL lock_timeout (plan_lock_timeout, default 2 s) and statement_timeout (plan_statement_timeout, default 30 s): a write that waits for a lock another session holds, or runs too long, is cancelled and returned unverified (`{planned = true, verified = false, reason = \"not verified: lock not available (…)\"}`) instead of queueing behind the lock. Not run at all, and unverified with the reason: a statement that cannot run in a transaction (CREATE INDEX CONCURRENTLY, VACUUM, CREATE DATABASE…), and one that would advance or set a sequence, which no rollback undoes (it calls nextval or setval, or it adds rows to a table with a serial, identity or DEFAULT nextval column: INSERT/MERGE/COPY FROM, UPDATE … DEFAULT)."
    static let readOnly = "the statement runs in a read-only transaction (the server refuses writes, SQLSTATE 25006) and counts as a read, so plan mode runs it"
    static let sqlErrors = [
        "a failed statement returns nil, err: err.kind = \"sql\", err.sqlstate (\"42501\"), err.message, err.detail, err.hint, err.position, err.table, err.column, err.constraint",
        "raises kind = network (unreachable, or the connection broke: connect again), timeout (cancelled at the deadline), closed",
    ]
    static let rowsDoc = "integers, floats and booleans as Lua values, json/jsonb decoded to tables, bytea as a byte string, NULL as unidesk.null; numeric, dates and other types as the server's text"

    static let connect = PrimitiveSpec(
        module: "pg", name: "connect",
        summary: "Opens a connection. The DSN is a libpq conninfo string or a postgres:// URI; PG* variables, the password file (~/.pgpass, PGPASSFILE) and service files apply as in psql. The password (from anywhere) never reaches a log, the report or an error.",
        params: [Param("dsn", .stringOrSecret, "\"host=… dbname=… user=…\" or \"postgresql://user@host:port/db\"; pass a secret when it holds a password"),
                 Param("options", .record([
                    Param("database", .string, optional: true, "connect to this database instead of the DSN's"),
                    Param("timeout", .number, optional: true, "seconds to connect (default 10, never past the run's deadline)"),
                    Param("prepare_repeated", .boolean, optional: true, "default true: a parameterised INSERT, UPDATE, DELETE or MERGE without RETURNING sent a second time on this connection is prepared on the server once (as unidesk_s1, unidesk_s2, …) and then only executed, which spares the server parsing and planning it each time; false when a pooler in transaction mode (PgBouncer before 1.21) stands between, where the next statement may reach another server connection"),
                    Param("plan_lock_timeout", .number, optional: true, "plan mode: seconds the verification of this connection's writes waits for a lock (default 2; more than 0, at most 86400); a call's own plan_lock_timeout wins"),
                    Param("plan_statement_timeout", .number, optional: true, "plan mode: seconds the verification of this connection's writes may run (default 30; more than 0, at most 86400); a call's own plan_statement_timeout wins"),
                 ]), optional: true, "")],
        returns: [("unidesk.pg.connection", "conn", "with fields database, user, server")],
        effect: .read, scope: "<database>@<user> as the DSN and PG* variables name them",
        errors: ["raises kind = auth (password, pg_hba.conf, unknown role), not_found (no such database), network, timeout",
                 "raises bad argument for a malformed DSN (the message never quotes it)"],
        example: #"local conn = pg.connect(unidesk.env("DATABASE_URL"))   -- exposed with --secret-env DATABASE_URL"#,
        offlineResult: "a connection that sends nothing (`server = \"offline\"`): its reads return `{planned = true, unknown = true}`, its writes are unverified")

    static let exec = PrimitiveSpec(
        module: "pg", name: "exec", shape: .method(of: "connection"),
        summary: "Runs SQL. With params: one statement, values sent separately. Without: the simple protocol, several statements allowed (one implicit transaction). " + planVerification,
        params: [Param("sql", .string, ""), params,
                 Param("options", .record([role, Param("read_only", .boolean, optional: true, readOnly), timeout, planLockTimeout, planStatementTimeout]), optional: true, "")],
        returns: [("{command: string, affected?: integer, rows: table[], notices?: string[]}|nil", "result", "command is the server's tag (\"INSERT 0 1\"); rows: " + rowsDoc),
                  ("table?", "err", "when the statement failed")],
        effect: .write, scope: "<database>@<role>",
        errors: sqlErrors,
        example: #"local conn = pg.connect(unidesk.env("DATABASE_URL"))"# + "\n" + #"local r, err = conn:exec("ALTER TABLE users ADD COLUMN plan text", nil, { role = "app" })"# + "\n" + #"if not r and err.sqlstate == "42501" then unidesk.fail("the app role cannot run this migration: " .. err.message) end"#,
        capability: "pg.exec")

    static let execMany = PrimitiveSpec(
        module: "pg", name: "exec_many", shape: .method(of: "connection"),
        summary: "Runs one parameterised statement once per row of values, as a batch: every row is sent through libpq's pipeline mode without waiting for the previous one's answer, and the statement is parsed once, so a bulk load costs one round trip instead of one per row. The batch is one gated call (one audit record, one `[write]` line with the row count). It is atomic: outside a transaction the rows run in one implicit transaction, inside `conn:tx` they are part of it. The first failing row stops it: the server skips the rest, nothing of the batch is kept, and the error names the row. In plan mode the whole batch is verified as one write, as exec's are (run and rolled back; not run when the statement would advance a sequence), and the plan shows the statement once with the row count. " + "The statement must be one statement that can run in a transaction (INSERT, UPDATE, DELETE, MERGE…); rows a statement returns (RETURNING, SELECT) are not kept, and COPY is not supported.",
        params: [Param("sql", .string, "one statement with $1, $2, …"),
                 Param("rows", .array(.array(.any)), "one list of values per execution, as exec's params (unidesk.null for NULL, a table is sent as JSON); an empty list sends nothing"),
                 Param("options", .record([role, timeout, planLockTimeout, planStatementTimeout]), optional: true, "")],
        returns: [("{command: string, statements: integer, affected: integer, notices?: string[]}|nil", "result",
                   "command is the statement's verb (\"INSERT\"), statements the rows executed, affected the total of rows they affected"),
                  ("table?", "err", "when a row failed: as exec's, plus err.row, the 1-based index of the failing row (absent when the statement itself was refused)")],
        effect: .write, scope: "<database>@<role>",
        errors: sqlErrors,
        example: #"local conn = pg.connect(unidesk.env("DATABASE_URL"))"# + "\n" + #"local r = assert(conn:exec_many("INSERT INTO users (id, email) VALUES ($1, $2)", { { 1, "a@example.com" }, { 2, "b@example.com" } }))"# + "\n" + #"assert(r.affected == 2)"#,
        capability: "pg.exec")

    static let query = PrimitiveSpec(
        module: "pg", name: "query", shape: .method(of: "connection"),
        summary: "Runs a query and returns its rows. Read-only by default: it runs in a read-only transaction and counts as a read (pass read_only=false for INSERT … RETURNING, which is then a write and is verified in plan mode as exec's writes are).",
        params: [Param("sql", .string, ""), params,
                 Param("options", .record([role, Param("read_only", .boolean, optional: true, "default true: " + readOnly), timeout, planLockTimeout, planStatementTimeout]), optional: true, "")],
        returns: [("table[]|nil", "rows", "one table per row, keyed by column name: " + rowsDoc), ("table?", "err", "when the statement failed")],
        effect: .read, scope: "<database>@<role>",
        errors: sqlErrors,
        example: #"local conn = pg.connect(unidesk.env("DATABASE_URL"))"# + "\n" + #"local rows = assert(conn:query("SELECT id, email FROM users WHERE plan = $1", { "pro" }))"#,
        capability: "pg.exec")

    static let script = PrimitiveSpec(
        module: "pg", name: "script", shape: .method(of: "connection"),
        summary: "Runs a SQL script (a migration file) statement by statement, so a failure names the file, the statement and its line. The script is one transaction (a leading BEGIN and trailing COMMIT in the file are accepted); if a statement cannot run in a transaction, each statement commits on its own. Run as a role, a script may not change its role (SET ROLE, RESET ROLE, SET SESSION AUTHORIZATION). In plan mode the whole script is verified as one write, as exec's are: under the plan's lock and statement timeouts, and not run when one of its statements cannot run in a transaction or would advance a sequence (the reason names the statement and line).",
        params: [Param("sql", .string, "the script's text"),
                 Param("options", .record([Param("name", .string, optional: true, "the file name, for errors"), role, timeout, planLockTimeout, planStatementTimeout]), optional: true, "")],
        returns: [("{statements: integer, transactional: boolean}|nil", "result", ""),
                  ("table?", "err", "as exec's, plus err.file, err.statement, err.statement_index and err.line (the line of the error position when the server gives one)")],
        effect: .write, scope: "<database>@<role>",
        errors: sqlErrors + ["kind = invalid (returned) for transaction control or a role change inside the script"],
        example: #"local conn = pg.connect(unidesk.env("DATABASE_URL"))"# + "\n" + #"local ok, err = conn:script(fs.read("migrations/004_plan.up.sql"), { name = "004_plan.up.sql", role = "app" })"#,
        capability: "pg.exec")

    static let tx = PrimitiveSpec(
        module: "pg", name: "tx", shape: .method(of: "connection"),
        summary: "Runs fn(conn) in a transaction: COMMIT when fn returns, ROLLBACK when it raises (the error goes on). If a statement inside failed, the server has aborted the transaction: tx returns nil, err (SQLSTATE 25P02). Transactions do not nest. In plan mode the transaction is always rolled back, and each write in it is verified as exec's are, in a savepoint: a write that gives up waiting for a lock is rolled back alone and returned unverified, and fn goes on.",
        params: [Param("fn", .function, "function(conn) … end")],
        returns: [("any", "...", "fn's results, or nil, err")],
        example: #"local conn, id = pg.connect(unidesk.env("DATABASE_URL")), 42"# + "\n" + #"assert(conn:tx(function(c) assert(c:exec("UPDATE accounts SET n = n - 1 WHERE id = $1", { id })); return true end))"#)

    static let close = PrimitiveSpec(
        module: "pg", name: "close", shape: .method(of: "connection"),
        summary: "Closes the connection (idempotent). Connections still open at the end of the run are closed then.")

    static let oneShot = PrimitiveSpec(
        module: "pg", name: "exec",
        summary: "Connects, runs one statement or several (as connection:exec), and closes, whatever happens.",
        params: [Param("args", .record([
            Param("dsn", .stringOrSecret, ""), Param("sql", .string, ""), params,
            role, Param("read_only", .boolean, optional: true, readOnly), timeout, planLockTimeout, planStatementTimeout,
            Param("database", .string, optional: true, "connect to this database instead of the DSN's"),
        ]), "")],
        returns: [("table|nil", "result", "as connection:exec"), ("table?", "err", "")],
        effect: .write, scope: "<database>@<role>",
        example: #"local r, err = pg.exec{ dsn = unidesk.env("DATABASE_URL"), sql = "SELECT 1", read_only = true }"#,
        capability: "pg.exec")

    static let all = [connect, oneShot, exec, execMany, query, script, tx, close]
}
