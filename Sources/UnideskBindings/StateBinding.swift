import Foundation
import LuaRuntime
import UnideskCore
import UnideskData
import UnideskPostgres
import UnideskState

/// `require "unidesk.state"`: a small key → JSON store (last-good versions, canonical
/// registries, alerts) and per-app locks that serialise runs across processes, over a
/// `StateStore`: files under the state directory, or PostgreSQL with --state-db.
/// `state.lock(app, fn)` is stdlib Lua over `_lock`.
public enum StateBinding {
    static let databaseErrors = ["with --state-db: raises kind = network | auth | not_found | timeout when the database cannot be used (naming host:port/database, never the password), sql (field sqlstate) when it refuses a statement (42501: the role lacks a privilege)"]
    static let key = Param("key", .string, "letters, digits, '.', '_', '-' and '/' (a/b keeps keys apart per app)")

    static let get = PrimitiveSpec(
        module: "state", name: "get", summary: "The value stored under key, or nil. With --state-db it is a network read, so `plan --offline` skips it and returns `{planned = true, unknown = true}`.",
        params: [key], returns: [("any", "value", "")],
        effect: .localRead, scope: "<key>", errors: databaseErrors, example: #"local last_good = state.get("shop/last-good")"#)
    static let set = PrimitiveSpec(
        module: "state", name: "set",
        summary: "Stores a JSON-encodable value under key, atomically (a file renamed into place, or one upsert with --state-db): a reader sees the old value or the new one, never a mix, also after a crash. A write: planned, not done, by `unidesk plan`.",
        params: [key, Param("value", .any, "")],
        effect: .write, scope: "<key>", errors: databaseErrors, example: #"state.set("shop/last-good", { version = "1.4.2+15.4", at = time.iso() })"#)
    static let delete = PrimitiveSpec(
        module: "state", name: "delete", summary: "Removes key. Returns whether it existed.",
        params: [key], returns: [("boolean", "existed", "")],
        effect: .write, scope: "<key>", errors: databaseErrors)
    static let keys = PrimitiveSpec(
        module: "state", name: "keys", summary: "The keys under a prefix (\"shop/\", taken literally), sorted. With --state-db `plan --offline` skips it and returns `{planned = true, unknown = true}` (an empty list to ipairs).",
        params: [Param("prefix", .string, optional: true, "")], returns: [("string[]", "keys", "")],
        effect: .localRead, scope: "<prefix>*", errors: databaseErrors)
    static let lock = PrimitiveSpec(
        module: "state", name: "lock",
        summary: "Runs fn() holding the app's lock, across processes on this machine (a file lock), or across every worker that uses the same --state-db (a PostgreSQL advisory lock): a second run waits up to timeout seconds (default 0: fail at once, never past the run's deadline) and then raises kind = busy with `holder` naming it (\"unidesk pid 812 on ci-worker-3\"). The lock is released when fn returns or raises, and by the kernel or the database server if the process dies.",
        params: [Param("app", .string, ""), Param("fn", .function, ""),
                 Param("options", .record([Param("timeout", .number, optional: true, "seconds to wait for the lock (default 0)")]), optional: true, "")],
        returns: [("any", "...", "fn's results")],
        effect: .pure,
        errors: ["raises kind = busy (field holder) when another run keeps the lock past timeout"] + databaseErrors,
        example: """
        state.lock("shop", function()
          compose.recreate{ project = "shop", dir = "deploy", service = "web" }
        end, { timeout = 600 })
        """)

    /// The host side of lock(): takes the app's lock, through the gate (capability
    /// `state.lock:<app>`, an audit record per lock taken). Not in the reference: scripts
    /// call lock(), whose spec is above.
    static let takeLock = PrimitiveSpec(
        module: "state", name: "_lock", summary: "Takes the app's lock for state.lock (a file lock, or an advisory lock with --state-db).",
        params: [Param("app", .string, ""), Param("timeout", .any, optional: true, "seconds to wait (lock() passes options.timeout or 0)")], returns: [("integer", "handle", "")],
        effect: .localRead, scope: "<app>", capability: "state.lock")

    public static let library = HostLibrary(
        name: "state", summary: "Key → JSON state under --state-dir (or in PostgreSQL with --state-db), atomic writes, per-app locks across runs.",
        specs: [get, set, delete, keys, lock]
    ) { ctx in
        // The store is picked once per run; a database is connected to on first use only.
        let made: Result<any StateStore, StateError>
        if let dsn = ctx.stateDatabase {
            ConnInfo.passwordForms(in: dsn).forEach { ctx.redactor.register($0) }
            made = Result { () throws(StateError) -> any StateStore in
                // A plan creates nothing, not even the empty table.
                try PostgresStateStore(conninfo: dsn, remaining: { ctx.deadlineRemaining }, mayCreateTable: !ctx.mode.isPlan,
                                       sawPassword: { ctx.redactor.register($0) })
            }
        } else {
            made = .success(FileStateStore(root: "\(ctx.stateDirectory)/state"))
        }
        // A database read is a network read: `plan --offline` skips it, as it skips others.
        let readEffect: EffectClass? = ctx.stateDatabase == nil ? nil : .read
        var held: [Int64: any StateLock] = [:]
        var nextLock: Int64 = 1
        ctx.atEnd {
            for l in held.values { _ = l.release() }
            held = [:]
            if case .success(let store) = made { store.close() }
        }

        /// Calls the store; misuse of a key is a bad argument, the rest structured errors.
        func call<T>(argument n: Int = 1, _ body: (any StateStore) throws(StateError) -> T) throws -> T {
            do { return try body(try made.get()) } catch {
                if error.kind == .invalid && error.message.hasPrefix("key ") { throw HostError.argument(n, error.message) }
                throw ctx.error(error)
            }
        }
        func storable(_ args: [LuaValue]) throws -> DataValue {
            do { return try LuaData.toData(args.value(1), path: "value") } catch let e as LuaData.ConversionError { throw HostError.argument(2, e.description) }
        }
        /// What a write would replace, for its plan verdict (nil: nothing is stored). An
        /// offline plan asks no database, so its state writes stay unverified.
        let offlineDatabase = ctx.mode.isOfflinePlan && ctx.stateDatabase != nil
        func stored(_ key: String) throws -> DataValue? {
            try call { store throws(StateError) in try store.get(key) }
        }
        let storedBasis = { (args: [LuaValue]) throws -> DataValue? in
            .object([("stored", ctx.basisValue(try stored(try args.string(0))))])
        }
        /// What a key's call touches, as data.
        let key = { (args: [LuaValue]) throws -> DataValue in .object([("key", .string(try args.string(0)))]) }
        return [
            ctx.gated(get, scope: { args in try args.string(0) }, target: key, effect: readEffect, perform: { args in
                let key = try args.string(0)
                return [try call { store throws(StateError) in try store.get(key) }.map(LuaData.toLua) ?? .nil]
            }, plan: { _ in Gate.Planned.offlineRead }),
            // Basis of a write: the value it would replace (a saved plan's apply stops when
            // another run changed it since the plan).
            ctx.gated(set, scope: { args in try args.string(0) }, target: key, basis: storedBasis, perform: { args in
                let (key, value) = (try args.string(0), try storable(args))
                try call { store throws(StateError) in try store.set(key, value) }
                return []
            }, plan: { args in
                let (key, value) = (try args.string(0), try storable(args))
                if offlineDatabase { return Gate.Planned([], detail: .string("offline: not compared with the stored value")) }
                guard let current = try stored(key) else { return Gate.Planned([], verdict: .create) }
                let changes = DataDiff.changes(from: current, to: value)
                return Gate.Planned([], verdict: changes.isEmpty ? .unchanged : .change(changes))
            }),
            ctx.gated(delete, scope: { args in try args.string(0) }, target: key, basis: storedBasis, perform: { args in
                let key = try args.string(0)
                return [.bool(try call { store throws(StateError) in try store.delete(key) })]
            }, plan: { args in
                if offlineDatabase { return Gate.Planned([.bool(false)], detail: .string("offline: not compared with the stored value")) }
                return try stored(try args.string(0)) == nil
                    ? Gate.Planned([.bool(false)], detail: .string("no such key: nothing to delete"), verdict: .unchanged)
                    : Gate.Planned([.bool(false)], verdict: .delete)
            }),
            ctx.gated(keys, scope: { args in (try args.optionalString(0) ?? "") + "*" },
                      target: { args in .object([("prefix", .string(try args.optionalString(0) ?? ""))]) }, effect: readEffect, perform: { args in
                let prefix = try args.optionalString(0) ?? ""
                let ks = try call { store throws(StateError) in try store.keys(prefix: prefix) }
                return [.table(LuaTable(array: ks.map { .string($0) }))]
            }, plan: { _ in Gate.Planned.offlineRead }),
            // A lock in a database is a network call: `plan --offline` records it and takes
            // none (handle 0), as it contacts no other server.
            ctx.gated(takeLock, scope: { args in try args.string(0) }, target: { args in .object([("lock", .string(try args.string(0)))]) }, effect: readEffect, perform: { args in
                let app = try args.string(0)
                let wait = ctx.timeout(args.value(1).numberValue, Timeouts.stateLock)
                let l = try call { store throws(StateError) in try store.lock(app, wait: wait) }
                let handle = nextLock
                nextLock += 1
                held[handle] = l
                return [.int(handle)]
            }, plan: { _ in Gate.Planned([.int(0)], detail: .string("offline: no lock taken")) }),
            HostFunction("unidesk.state._unlock") { args in
                if case .int(let h) = args.value(0), let l = held.removeValue(forKey: h), let warning = l.release() {
                    ctx.console.log(.warn, warning)
                }
                return []
            },
        ]
    }
}

extension LuaValue {
    var numberValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }
}
