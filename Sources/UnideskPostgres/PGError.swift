/// A failure from PostgreSQL or on the way to it. A failed statement (`kind == .sql`) is an
/// outcome a recipe branches on; the other kinds are failures of the connection itself.
public struct PGError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The server refused the statement: `sqlstate` says why (42501, 42703, 23505…).
        case sql
        /// Could not reach the server, or the connection broke (a restart, a kill).
        case network
        /// The server answered and refused the login (password, pg_hba.conf, no such role).
        case auth
        /// The database named in the connection does not exist.
        case notFound = "not_found"
        /// The connection or the statement ran out of time and was cancelled.
        case timeout
        /// Bad input caught before sending anything (a malformed DSN, a refused statement).
        case invalid
        /// The connection was closed by the script.
        case closed
    }

    public var kind: Kind
    public var message: String
    public var sqlstate: String?
    public var detail: String?
    public var hint: String?
    /// 1-based character position in the statement, when the server gives one.
    public var position: Int?
    public var context: String?
    public var table: String?
    public var column: String?
    public var constraint: String?
    /// For scripts: the failing statement, its 1-based index and the line it starts on.
    public var statement: String?
    public var statementIndex: Int?
    public var line: Int?
    /// For a batch (conn:exec_many): the 1-based row whose statement failed.
    public var row: Int?
    /// For scripts: the name the script was given (its file).
    public var file: String?
    /// Plan mode could not verify the statement and did not keep anything it started: it
    /// cannot run in a transaction, would advance a sequence, or waited past the plan's
    /// lock or statement timeout. The plan shows it as unverified with `message` as the reason.
    public var unverified = false
    /// The client cancelled the statement at its own timeout (PQcancel), rather than the
    /// server at its statement_timeout; both are SQLSTATE 57014.
    var cancelledByClient = false

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String {
        var s = message
        if let sqlstate { s += " (SQLSTATE \(sqlstate))" }
        if let file { s += " in \(file)\(line.map { ":\($0)" } ?? "")" }
        return s
    }
}
