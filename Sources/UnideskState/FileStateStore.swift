import CSystem
import Foundation
import UnideskData
import UnideskFiles
#if canImport(Glibc)
import Glibc
#endif

/// State as one pretty-printed JSON file per key under `root` (`<key>.json`), written
/// atomically; locks are flock(2)s on `root/.locks/<app>.lock`, which the kernel releases
/// when the process dies. Serialises runs on one machine only.
public final class FileStateStore: StateStore {
    public let root: String
    /// Written into a lock file while held: who another run is told holds it.
    let identity: String
    private var held: [FileStateLock] = []

    public init(root: String, identity: String = StateIdentity.current) {
        self.root = root
        self.identity = identity
    }

    public var location: String { "files under \(root)" }

    func path(_ key: String) throws(StateError) -> String {
        try StateKey.validate(key)
        return "\(root)/\(key).json"
    }

    public func get(_ key: String) throws(StateError) -> DataValue? {
        let p = try path(key)
        guard let data = FileManager.default.contents(atPath: p) else { return nil }
        do { return try JSON.decode(bytes: Array(data)) } catch {
            throw StateError(.corrupt, "state file \(p) is not JSON: \(error)")
        }
    }

    public func set(_ key: String, _ value: DataValue) throws(StateError) {
        let p = try path(key)
        let text = (try? JSON.encode(value, options: .init(pretty: true, sortKeys: false))) ?? "null"
        do {
            try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(Array((text + "\n").utf8), to: p)
        } catch { throw StateError(.io, "cannot write state '\(key)': \(error)") }
    }

    public func delete(_ key: String) throws(StateError) -> Bool {
        let p = try path(key)
        let existed = FileManager.default.fileExists(atPath: p)
        if existed { try? FileManager.default.removeItem(atPath: p) }
        return existed
    }

    public func keys(prefix: String) throws(StateError) -> [String] {
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
            .filter { $0.hasPrefix(prefix) }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    public func lock(_ app: String, wait: Double) throws(StateError) -> any StateLock {
        try StateKey.validate(app)
        let dir = "\(root)/.locks"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = "\(dir)/\(app.replacingOccurrences(of: "/", with: "_")).lock"
        let fd = open(file, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StateError(.io, "cannot open the lock \(file): \(String(cString: strerror(errno)))") }
        let until = Date().addingTimeInterval(max(0, wait))
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            // A stop (SIGTERM, SIGINT) ends the wait as its timeout would.
            if Date() >= until || ud_stop_cuts_waits() != 0 {
                var buf = [UInt8](repeating: 0, count: 64)
                let n = pread(fd, &buf, buf.count, 0)
                Glibc.close(fd)
                let holder = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "another process"
                throw StateError(.busy, "\(app) is locked by \(holder)\(wait > 0 ? " (waited \(Int(wait)) s)" : ""); another run is deploying it",
                                 holder: holder)
            }
            _ = ud_stop_sleep(0.1)
        }
        // The holder's name, for the next process that finds the lock taken.
        let me = Array((identity + "\n").utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, me, me.count, 0)
        let l = FileStateLock(fd)
        held.append(l)
        return l
    }

    public func close() {
        held.forEach { _ = $0.release() }
        held = []
    }
}

final class FileStateLock: StateLock {
    private var fd: Int32?
    init(_ fd: Int32) { self.fd = fd }

    func release() -> String? {
        guard let fd else { return nil }
        _ = ftruncate(fd, 0)
        // An flock belongs to the open file description, not to this fd: a child forked by
        // any thread of this process (Process/posix_spawn, before its exec closes the
        // O_CLOEXEC copy) shares that description, and close() alone would leave the lock
        // held until the child execs or exits. LOCK_UN frees it for every copy at once.
        _ = flock(fd, LOCK_UN)
        Glibc.close(fd)
        self.fd = nil
        return nil
    }
}
