import Foundation
import LuaRuntime
import UnideskCore
import UnideskData
import UnideskFiles
#if canImport(Glibc)
import Glibc
#endif

/// `require "unidesk.state"`: a small key → JSON store under the state directory, written
/// atomically (last-good versions, canonical registries, alerts), and per-app locks that
/// serialise runs across processes. `state.lock(app, fn)` is stdlib Lua over `_lock`.
public enum StateBinding {
    static let key = Param("key", .string, "letters, digits, '.', '_', '-' and '/' (a/b keeps keys apart per app)")

    static let get = PrimitiveSpec(
        module: "state", name: "get", summary: "The value stored under key, or nil.",
        params: [key], returns: [("any", "value", "")],
        effect: .localRead, scope: "<key>", example: #"local last_good = state.get("shop/last-good")"#)
    static let set = PrimitiveSpec(
        module: "state", name: "set",
        summary: "Stores a JSON-encodable value under key, atomically: a reader sees the old value or the new one, never a mix, also after a crash. A write: planned, not done, by `unidesk plan`.",
        params: [key, Param("value", .any, "")],
        effect: .write, scope: "<key>", example: #"state.set("shop/last-good", { version = "1.4.2+15.4", at = time.iso() })"#)
    static let delete = PrimitiveSpec(
        module: "state", name: "delete", summary: "Removes key. Returns whether it existed.",
        params: [key], returns: [("boolean", "existed", "")],
        effect: .write, scope: "<key>")
    static let keys = PrimitiveSpec(
        module: "state", name: "keys", summary: "The keys under a prefix (\"shop/\"), sorted.",
        params: [Param("prefix", .string, optional: true, "")], returns: [("string[]", "keys", "")],
        effect: .localRead, scope: "<prefix>*")
    static let lock = PrimitiveSpec(
        module: "state", name: "lock",
        summary: "Runs fn() holding the app's lock, across processes on this machine: a second run waits up to timeout seconds (default 0: fail at once) and then raises kind = busy naming the holder. The lock is released when fn returns or raises, and by the kernel if the process dies.",
        params: [Param("app", .string, ""), Param("fn", .function, ""),
                 Param("options", .record([Param("timeout", .number, optional: true, "seconds to wait for the lock (default 0)")]), optional: true, "")],
        returns: [("any", "...", "fn's results")],
        effect: .pure, example: #"state.lock("shop", function() deploy() end, { timeout = 600 })"#)

    public static let library = HostLibrary(
        name: "state", summary: "Key → JSON state under --state-dir, atomic writes, per-app locks across runs.",
        specs: [get, set, delete, keys, lock]
    ) { ctx in
        let root = "\(ctx.stateDirectory)/state"
        var held: [Int64: Int32] = [:]
        var nextLock: Int64 = 1
        ctx.atEnd { for fd in held.values { close(fd) }; held = [:] }

        func path(_ k: String, _ n: Int = 1) throws -> String {
            let ok = !k.isEmpty && k.count <= 200 && !k.hasPrefix("/") && !k.hasSuffix("/")
                && k.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-/".contains($0)) }
                && !k.split(separator: "/").contains { $0 == "." || $0 == ".." || $0.hasPrefix(".") }
            guard ok else { throw HostError.argument(n, "key '\(k)' is invalid: letters, digits, '.', '_', '-' and '/' separators, no '..'") }
            return "\(root)/\(k).json"
        }
        func read(_ p: String) throws -> DataValue? {
            guard let data = FileManager.default.contents(atPath: p) else { return nil }
            do { return try JSON.decode(bytes: Array(data)) } catch {
                throw HostError.structured(kind: "corrupt", message: "state file \(p) is not JSON: \(error)")
            }
        }
        return [
            ctx.gated(get, scope: { args in args.string(0) }, perform: { args in
                [try read(try path(args.string(0))).map(LuaData.toLua) ?? .nil]
            }, plan: { _ in Gate.Planned([.nil]) }),
            ctx.gated(set, scope: { args in args.string(0) }, perform: { args in
                let p = try path(args.string(0))
                let value: DataValue
                do { value = try LuaData.toData(args.value(1), path: "value") } catch let e as LuaData.ConversionError { throw HostError.argument(2, e.description) }
                let text = (try? JSON.encode(value, options: .init(pretty: true, sortKeys: false))) ?? "null"
                do {
                    try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try AtomicFile.write(Array((text + "\n").utf8), to: p)
                } catch { throw HostError.structured(kind: "io", message: "cannot write state '\(args.string(0))': \(error)") }
                return []
            }, plan: { args in Gate.Planned([], detail: .string("set \(args.string(0))")) }),
            ctx.gated(delete, scope: { args in args.string(0) }, perform: { args in
                let p = try path(args.string(0))
                let existed = FileManager.default.fileExists(atPath: p)
                if existed { try? FileManager.default.removeItem(atPath: p) }
                return [.bool(existed)]
            }, plan: { args in Gate.Planned([.bool(false)], detail: .string("delete \(args.string(0))")) }),
            ctx.gated(keys, scope: { args in args.string(0) + "*" }, perform: { args in
                let prefix = args.string(0)
                let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
                let ks = files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.filter { $0.hasPrefix(prefix) }.sorted()
                return [.table(LuaTable(array: ks.map { .string($0) }))]
            }, plan: { _ in Gate.Planned([.table(LuaTable())]) }),
            // For stdlib/unidesk/state.lua's lock(): take and release an flock.
            HostFunction("unidesk.state._lock") { args in
                let app = args.string(0)
                _ = try path(app)
                let wait = max(0, args.value(1).numberValue ?? 0)
                let dir = "\(root)/.locks"
                try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                let file = "\(dir)/\(app.replacingOccurrences(of: "/", with: "_")).lock"
                let fd = open(file, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw HostError.structured(kind: "io", message: "cannot open the lock \(file)") }
                let until = Date().addingTimeInterval(min(wait, ctx.deadlineRemaining))
                while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                    if Date() >= until {
                        var buf = [UInt8](repeating: 0, count: 64)
                        let n = pread(fd, &buf, buf.count, 0)
                        close(fd)
                        let holder = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "another process"
                        throw HostError.structured(kind: "busy", message: "\(app) is locked by \(holder)\(wait > 0 ? " (waited \(Int(wait)) s)" : ""); another run is deploying it",
                                                   fields: [("holder", .string(holder))])
                    }
                    usleep(100_000)
                }
                let me = Array("pid \(getpid())\n".utf8)
                _ = ftruncate(fd, 0)
                _ = pwrite(fd, me, me.count, 0)
                let handle = nextLock
                nextLock += 1
                held[handle] = fd
                return [.int(handle)]
            },
            HostFunction("unidesk.state._unlock") { args in
                if case .int(let h) = args.value(0), let fd = held.removeValue(forKey: h) {
                    _ = ftruncate(fd, 0)
                    close(fd)
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
