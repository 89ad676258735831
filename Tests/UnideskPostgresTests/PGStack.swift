import Foundation
import Testing
// The shared stack environment and error expectation, for every file of this target.
@_exported import UnideskTestSupport
@testable import UnideskPostgres

/// Every suite of this target nests under this one, serialized: one test restarts the
/// server (which ends every open session) and some set PG* variables in the process
/// environment, which libpq reads.
@Suite(.serialized) struct PostgresTests {}

/// The real PostgreSQL that scripts/stack/pg-up starts (scripts/test does it before the
/// suite). Missing variables fail the test: there is no fake to fall back on.
struct PGStack {
    func value(_ name: String) throws -> String {
        try StackEnvironment.postgres.value(name)
    }

    func admin(timeout: Double = 10) throws -> PGConnection {
        try PGConnection.connect(try value("UNIDESK_PG_ADMIN_DSN"), timeout: timeout)
    }

    /// Runs `sql` as the admin on a connection of its own, ignoring failures: cleanup
    /// that works even when the test's connection is broken.
    func cleanup(_ sql: String) {
        guard let c = try? admin() else { return }
        defer { c.close() }
        _ = try? c.execute(sql, timeout: 10)
    }
}

/// A lower-case name no other test or run uses, for tables, roles, indexes.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
}

/// The PGError `body` throws; records an issue when it succeeds or throws something else.
@discardableResult
func pgError<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> PGError? {
    thrownError(PGError.self, body, sourceLocation: sourceLocation)
}

extension PGConnection {
    /// The first cell of the last result of `sql`.
    func scalar(_ sql: String, _ parameters: [PGValue]? = nil) throws -> PGValue {
        try execute(sql, parameters: parameters, timeout: 10).last?.rows.first?.first ?? .null
    }

    func exec(_ sql: String) throws {
        _ = try execute(sql, timeout: 10)
    }

    /// Whether a relation (table, index) of that name exists.
    func exists(_ relation: String) throws -> Bool {
        try scalar("select to_regclass($1) is not null", [.text(relation)]) == .bool(true)
    }

    func count(_ table: String) throws -> Int64? {
        guard case .int(let n) = try scalar("select count(*) from \(table)") else { return nil }
        return n
    }
}

/// Sets (or, for nil, unsets) process environment variables for the duration of `body`
/// (libpq reads PG* variables from the process environment), then restores them.
func withEnvironment<T>(_ values: [String: String?], _ body: () throws -> T) rethrows -> T {
    let saved = values.keys.map { ($0, getenv($0).map { String(cString: $0) }) }
    for (k, v) in values {
        if let v { setenv(k, v, 1) } else { unsetenv(k) }
    }
    defer {
        for (k, old) in saved {
            if let old { setenv(k, old, 1) } else { unsetenv(k) }
        }
    }
    return try body()
}

/// Holds the restartable server's lock for `body`: the tests that restart it (in this
/// target and in UnideskCoreTests) run one at a time, across targets.
func withRestartLock<T>(_ stack: PGStack, _ body: () throws -> T) throws -> T {
    let fd = open(try stack.value("UNIDESK_PG_RESTARTABLE_STACK") + "/restart.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
    defer { if fd >= 0 { close(fd) } }   // closing the descriptor releases the lock
    if fd >= 0 { flock(fd, LOCK_EX) }
    return try body()
}
