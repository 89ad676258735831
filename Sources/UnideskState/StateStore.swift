import Foundation
import UnideskData

/// Recipe state: key → JSON value, and per-app locks that serialise runs. Two backends
/// with one behaviour: files under the state directory (one machine) and PostgreSQL
/// (runs spread over many CI workers). Used by one run, from one thread.
public protocol StateStore: AnyObject {
    /// Where the state lives, for messages: "files under /x/state", "PostgreSQL 10.0.0.5:5432/ci".
    var location: String { get }
    /// The value under `key`, or nil when there is none.
    func get(_ key: String) throws(StateError) -> DataValue?
    /// Stores `value` under `key` atomically: a reader sees the old value or the new one.
    func set(_ key: String, _ value: DataValue) throws(StateError)
    /// Removes `key`; whether it existed.
    func delete(_ key: String) throws(StateError) -> Bool
    /// The keys that start with `prefix` (taken literally), in byte order.
    func keys(prefix: String) throws(StateError) -> [String]
    /// Takes `app`'s lock, waiting up to `wait` seconds (0: one try); kind `busy` naming
    /// the holder when another process keeps it.
    func lock(_ app: String, wait: Double) throws(StateError) -> any StateLock
    /// Releases what the store holds (connections; locks still held are released too).
    func close()
}

/// A held lock. The process dying releases it too (kernel for files, server for PostgreSQL).
public protocol StateLock: AnyObject {
    /// Releases the lock. Returns a warning when it turned out to have been lost while
    /// held (its database connection dropped), nil otherwise. Idempotent.
    func release() -> String?
}

public struct StateError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// A key or app name the store refuses (see `StateKey`).
        case invalid
        /// Another process holds the lock: `holder` names it.
        case busy
        /// A stored value that is not JSON.
        case corrupt
        /// A local file could not be read or written.
        case io
        /// The database could not be reached, or the connection broke.
        case network
        /// The database refused the login.
        case auth
        /// The database named in the connection info does not exist.
        case notFound = "not_found"
        /// A connection or statement ran out of time (its own or the run's deadline).
        case timeout
        /// The database refused a statement: `sqlstate` says why (42501 permission, 42703 shape).
        case sql
    }

    public var kind: Kind
    public var message: String
    /// For `busy`: who holds the lock ("unidesk pid 812 on ci-worker-3").
    public var holder: String?
    public var sqlstate: String?

    public init(_ kind: Kind, _ message: String, holder: String? = nil, sqlstate: String? = nil) {
        self.kind = kind
        self.message = message
        self.holder = holder
        self.sqlstate = sqlstate
    }

    public var description: String { message }
}

/// Which keys (and app names for locks) every backend accepts: what a file path can hold
/// safely, so a state moves between backends unchanged.
public enum StateKey {
    public static func validate(_ k: String) throws(StateError) {
        let ok = !k.isEmpty && k.count <= 200 && !k.hasPrefix("/") && !k.hasSuffix("/")
            && k.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-/".contains($0)) }
            && !k.split(separator: "/").contains { $0 == "." || $0 == ".." || $0.hasPrefix(".") }
        guard ok else {
            throw StateError(.invalid, "key '\(k)' is invalid: letters, digits, '.', '_', '-' and '/' separators, no '..'")
        }
    }
}

/// How this process names itself to other runs: the lock holder they are told about and
/// `updated_by` of the rows it writes.
public enum StateIdentity {
    public static var current: String {
        var buf = [UInt8](repeating: 0, count: 256)
        let host = gethostname(&buf, buf.count - 1) == 0 ? String(decoding: buf.prefix { $0 != 0 }, as: UTF8.self) : "unknown host"
        // PostgreSQL cuts application_name at 63 bytes; keep the pid whole.
        let text = "unidesk pid \(getpid()) on \(host)"
        return String(decoding: Array(text.utf8.prefix(63)), as: UTF8.self)
    }
}
