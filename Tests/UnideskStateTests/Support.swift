import Foundation
import Testing
import UnideskData
import UnideskPostgres
// The shared stack environment and error expectation, for every file of this target.
@_exported import UnideskTestSupport
@testable import UnideskState

/// The real PostgreSQL of the running test stack (scripts/stack/pg-up's env.sh).
func stackValue(_ name: String) throws -> String {
    try StackEnvironment.postgres.value(name)
}

/// A database of one test's own on the stack's server, dropped by `drop()`.
final class ScratchDatabase {
    let name: String
    let admin: PGConnection

    init() throws {
        name = "unidesk_state_\(UUID().uuidString.prefix(8).lowercased())"
        admin = try PGConnection.connect(try stackValue("UNIDESK_PG_ADMIN_DSN"), timeout: 10)
        _ = try admin.execute("CREATE DATABASE \(name)", timeout: 30)
    }

    /// Connection info for `dsnVariable`'s role (the admin's by default) in this database,
    /// as key=value text with the password in it, as a user would pass --state-db.
    func conninfo(_ dsnVariable: String = "UNIDESK_PG_ADMIN_DSN") throws -> String {
        var o = try ConnInfo(parsing: try stackValue(dsnVariable)).options
        o["dbname"] = name
        return ["host", "port", "user", "password", "dbname"].compactMap { k in
            o[k].map { "\(k)='\($0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'"))'" }
        }.joined(separator: " ")
    }

    /// The stack's password of `dsnVariable`'s role: what must never be printed.
    func password(_ dsnVariable: String = "UNIDESK_PG_ADMIN_DSN") throws -> String {
        try #require(try ConnInfo(parsing: try stackValue(dsnVariable)).options["password"])
    }

    /// A connection to this database as the admin, for looking at what the store did.
    func connect() throws -> PGConnection {
        try PGConnection.connect(try stackValue("UNIDESK_PG_ADMIN_DSN"), overrides: [("dbname", name)], timeout: 10)
    }

    func query(_ sql: String, _ parameters: [PGValue] = []) throws -> [[PGValue]] {
        let c = try connect()
        defer { c.close() }
        return try c.execute(sql, parameters: parameters, timeout: 10).last?.rows ?? []
    }

    func drop() {
        _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", timeout: 30)
        admin.close()
    }
}

/// Objects with their keys sorted, so values compare equal whatever order a backend
/// keeps keys in (jsonb orders them its own way; Lua tables have no order at all).
func normalised(_ v: DataValue?) -> DataValue? {
    guard let v else { return nil }
    switch v {
    case .array(let a): return .array(a.map { normalised($0)! })
    case .object(let o): return .object(o.map { ($0.0, normalised($0.1)!) }.sorted { $0.0 < $1.0 })
    default: return v
    }
}

/// The StateError `body` throws; records an issue when it succeeds or throws something else.
@discardableResult
func stateError<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> StateError? {
    thrownError(StateError.self, body, sourceLocation: sourceLocation)
}

/// One backend under test: its stores share their state (two stores = two processes'
/// view), and `finish()` removes what it made.
final class Backend: CustomStringConvertible {
    enum Kind: String, CaseIterable, CustomStringConvertible { case files, postgres; var description: String { rawValue } }
    let kind: Kind
    private var scratch: ScratchDatabase?
    private var directory: String?

    init(_ kind: Kind) throws {
        self.kind = kind
        switch kind {
        case .files: directory = NSTemporaryDirectory() + "unidesk-state-\(UUID().uuidString)"
        case .postgres: scratch = try ScratchDatabase()
        }
    }

    var description: String { kind.rawValue }
    var database: ScratchDatabase? { scratch }

    func store(remaining: @escaping () -> Double = { .infinity }) throws -> any StateStore {
        if let directory { return FileStateStore(root: directory) }
        return try PostgresStateStore(conninfo: try scratch!.conninfo(), remaining: remaining)
    }

    func finish() {
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
        scratch?.drop()
    }
}
