/// The parameterised statements a connection has prepared on the server, by their SQL text.
///
/// A statement sent with parameters a second time is prepared once under a name of its own
/// and from then on only bound and executed, as the statement caches of JDBC, pgx and
/// psycopg do: the server skips parsing and analysing it and, after a few executions,
/// planning it, which is most of its work for a small INSERT (a third of a statement's
/// round trip on one CPU, measured with pgbench). Only statements that return no rows are
/// prepared (INSERT, UPDATE, DELETE, MERGE without RETURNING): the server refuses a cached
/// plan whose result columns changed under it ("cached plan must not change result type"),
/// and a statement without a result cannot meet that. The server re-plans a prepared
/// statement by itself after DDL on its tables or a change of search_path or role.
struct StatementCache {
    /// How many SQL texts a connection remembers; past it, new texts are sent unnamed.
    static let capacity = 256

    enum Decision: Equatable {
        /// Send it unnamed (Parse, Bind, Execute in one round trip), as without a cache.
        case unnamed
        /// Prepare it under this name first, then execute it by name.
        case prepare(String)
        /// Already prepared under this name: execute it.
        case execute(String)
    }

    private enum Entry {
        case seenOnce(parameters: Int)
        case prepared(name: String, parameters: Int)
        case never
    }

    private var entries: [String: Entry] = [:]
    private var nextNumber = 1
    /// The name of the next statement; numbers are never reused on a connection, so a
    /// statement forgotten here but still on the server never clashes with a new one.
    private mutating func newName() -> String {
        defer { nextNumber += 1 }
        return "unidesk_s\(nextNumber)"
    }

    /// What to do with `sql` sent with `parameters` values.
    mutating func decide(_ sql: String, parameters: Int) -> Decision {
        switch entries[sql] {
        case .prepared(let name, let count):
            return count == parameters ? .execute(name) : .unnamed
        case .seenOnce(let count):
            return count == parameters ? .prepare(newName()) : .unnamed
        case .never:
            return .unnamed
        case nil:
            guard entries.count < Self.capacity else { return .unnamed }
            entries[sql] = Self.returnsNoRows(sql) ? .seenOnce(parameters: parameters) : .never
            return .unnamed
        }
    }

    /// The server accepted `sql` prepared as `name`.
    mutating func prepared(_ sql: String, as name: String, parameters: Int) {
        entries[sql] = .prepared(name: name, parameters: parameters)
    }

    /// The server no longer has the statements prepared here (DISCARD ALL, DEALLOCATE, a
    /// pooler's other server connection): each is prepared again when next sent twice.
    mutating func forgetPrepared() {
        for (sql, entry) in entries {
            if case .prepared(_, let count) = entry { entries[sql] = .seenOnce(parameters: count) }
        }
    }

    /// Whether a command tag says the session's prepared statements may be gone.
    static func dropsPrepared(command: String) -> Bool {
        command.hasPrefix("DISCARD") || command.hasPrefix("DEALLOCATE")
    }

    /// One INSERT, UPDATE, DELETE or MERGE without RETURNING: a statement whose result
    /// has no columns. Anything else (SELECT, WITH …, RETURNING, several statements) is
    /// never prepared.
    static func returnsNoRows(_ sql: String) -> Bool {
        let tokens = SQLTokens.of(sql)
        guard let verb = tokens.first?.keyword, ["INSERT", "UPDATE", "DELETE", "MERGE"].contains(verb) else { return false }
        for (i, t) in tokens.enumerated() {
            if t.keyword == "RETURNING" { return false }
            if t == .symbol(59), i != tokens.count - 1 { return false }   // ';' before another token
        }
        return true
    }
}
