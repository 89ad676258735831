import Foundation
import Testing
import UnideskData
import UnideskProcess
// The shared error expectation, for every file of this target.
@_exported import UnideskTestSupport
@testable import UnideskSnapshot

/// A directory under /tmp that no other test or run uses. `remove()` unmounts whatever
/// tmpfs was mounted in it (even when the test failed half-way) and deletes it.
final class Scratch {
    let path: String
    private var mounts: [String] = []

    init(_ label: String) throws {
        path = "/tmp/unidesk-snaptest-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
        guard mkdir(path, 0o755) == 0 else { throw Failed("cannot create \(path): \(String(cString: strerror(errno)))") }
    }

    /// `path/rel`, created (with parents) when missing.
    @discardableResult
    func dir(_ rel: String) throws -> String {
        let p = "\(path)/\(rel)"
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    /// Mounts a tmpfs of `size` (e.g. "4m") at `path/rel`.
    @discardableResult
    func tmpfs(_ rel: String, size: String) throws -> String {
        let p = try dir(rel)
        try sh("mount -t tmpfs -o size=\(size),mode=0755 unidesk-snaptest '\(p)'")
        mounts.append(p)
        return p
    }

    func remove() {
        for m in mounts.reversed() where umount2(m, 0) != 0 {
            _ = umount2(m, Int32(MNT_DETACH))
        }
        mounts.removeAll()
        try? FileManager.default.removeItem(atPath: path)
    }
}

struct Failed: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Runs `script` with /bin/sh; a non-zero exit records an issue and throws.
@discardableResult
func sh(_ script: String, timeout: Double = 300, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let r = try Command.run(["/bin/sh", "-c", script], environment: ProcessInfo.processInfo.environment, timeout: timeout)
    guard r.status == 0, !r.timedOut else {
        Issue.record("sh failed (exit \(r.status)\(r.timedOut ? ", timed out" : "")): \(script)\n\(r.stderrTail())", sourceLocation: sourceLocation)
        throw Failed("sh failed: \(script)")
    }
    return r.stdoutText
}

/// Runs a python3 program (the tarfile module crafts hostile archives).
func python(_ program: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let file = "/tmp/unidesk-snaptest-\(UUID().uuidString.prefix(8)).py"
    try program.write(toFile: file, atomically: true, encoding: .utf8)
    defer { unlink(file) }
    try sh("python3 '\(file)'", sourceLocation: sourceLocation)
}

/// The SnapshotError `body` throws; records an issue when it succeeds or throws something else.
@discardableResult
func snapError<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> SnapshotError? {
    thrownError(SnapshotError.self, body, sourceLocation: sourceLocation)
}

// MARK: the store, as the tests use it

extension SnapshotStore {
    /// One host-path volume per (name, directory).
    @discardableResult
    func take(_ app: String, _ volumes: [(String, String)], meta: DataValue = .object([]), keep: Int = 1) throws -> Manifest {
        try take(app: app, sources: volumes.map { Source(name: $0.0, kind: "path", directory: $0.1) }, meta: meta, keep: keep)
    }

    /// Restores into the directories named by `targets` (volume name → directory), nothing in use.
    @discardableResult
    func restore(_ app: String, into targets: [String: String], volumes: [String]? = nil, inUse: [String] = [],
                 force: Bool = false) throws -> Manifest {
        try restore(app: app, volumes: volumes, force: force,
                    target: { v throws(SnapshotError) in
                        guard let t = targets[v.name] else { throw SnapshotError(.invalid, "the test gave no target for \(v.name)") }
                        return t
                    },
                    inUse: { _ in inUse })
    }

    /// <root>/<app>/snapshots/<id of last-good>.
    func lastGoodDirectory(_ app: String) -> String? {
        lastGoodID(app).map { "\(root)/\(app)/snapshots/\($0)" }
    }

    /// The snapshot ids on disk, sorted.
    func snapshotIDs(_ app: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(app)/snapshots")) ?? []).sorted()
    }

    /// Entries of the app directory starting with `.incoming-`.
    func incoming(_ app: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(app)")) ?? []).filter { $0.hasPrefix(".incoming-") }
    }

    /// What the last-good link says, as written.
    func lastGoodLink(_ app: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "\(root)/\(app)/last-good")
    }
}

/// `.unidesk-restore-*` siblings left in `parent`.
func restoreSiblings(in parent: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.hasPrefix(".unidesk-restore-") }
}

// MARK: files

func write(_ path: String, _ text: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

func writeRandom(_ path: String, bytes: Int) throws {
    var g = SystemRandomNumberGenerator()
    var d = Data(count: bytes)
    d.withUnsafeMutableBytes { p in
        let words = p.bindMemory(to: UInt64.self)
        for i in 0..<words.count { words[i] = g.next() }
        for i in (words.count * 8)..<bytes { p[i] = UInt8.random(in: 0...255) }
    }
    try d.write(to: URL(fileURLWithPath: path))
}

func lstatOf(_ path: String) -> stat? {
    var st = stat()
    return lstat(path, &st) == 0 ? st : nil
}

func exists(_ path: String) -> Bool { lstatOf(path) != nil }

func fileSize(_ path: String) -> Int { Int(lstatOf(path)?.st_size ?? -1) }

/// "sha256:<hex>" of a file's content, by sha256sum (independent of the module's hashing).
func sha256sum(_ path: String) throws -> String {
    let out = try sh("sha256sum '\(path)'")
    return "sha256:" + (out.split(separator: " ").first.map(String.init) ?? "")
}

/// Flips every bit of the byte at `offset`.
func flipByte(_ path: String, at offset: Int) throws {
    let fd = open(path, O_RDWR)
    guard fd >= 0 else { throw Failed("cannot open \(path)") }
    defer { close(fd) }
    var b: UInt8 = 0
    guard pread(fd, &b, 1, off_t(offset)) == 1 else { throw Failed("cannot read \(path) at \(offset)") }
    b ^= 0xff
    guard pwrite(fd, &b, 1, off_t(offset)) == 1 else { throw Failed("cannot write \(path) at \(offset)") }
}

/// The offset of the first occurrence of `needle` in the file.
func offset(of needle: String, in path: String) throws -> Int {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard let r = data.range(of: Data(needle.utf8)) else { throw Failed("'\(needle)' is not in \(path)") }
    return r.lowerBound
}

// MARK: tree fingerprints

/// What a user sees of one path: its type, permissions, owner, content or link target.
struct Node: Equatable, CustomStringConvertible {
    var kind: String
    var mode: UInt32
    var uid: UInt32
    var gid: UInt32
    var size = 0
    var digest = ""
    var link = ""
    var mtime = 0
    /// Extended attributes (user.*, security.capability, POSIX ACLs), values in hex.
    var xattrs: [String: String] = [:]

    var description: String {
        "\(kind) \(String(mode, radix: 8)) \(uid):\(gid)" + (kind == "file" ? " \(size) B \(digest.prefix(19)) mtime \(mtime)" : "")
            + (kind == "link" ? " -> \(link)" : "") + (xattrs.isEmpty ? "" : " xattrs \(xattrs.keys.sorted())")
    }
}

/// Every path under `root` (relative; "." is the root itself) and what it is.
func fingerprint(_ root: String) -> [String: Node] {
    var out: [String: Node] = [:]
    func visit(_ rel: String) {
        let path = rel == "." ? root : "\(root)/\(rel)"
        guard let st = lstatOf(path) else { return }
        var n = Node(kind: "other", mode: UInt32(st.st_mode) & 0o7777, uid: st.st_uid, gid: st.st_gid)
        n.xattrs = xattrs(path)
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            n.kind = "dir"
            for e in ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() {
                visit(rel == "." ? e : "\(rel)/\(e)")
            }
        case S_IFREG:
            n.kind = "file"
            n.size = Int(st.st_size)
            n.digest = digest(path)
            n.mtime = Int(st.st_mtim.tv_sec)
        case S_IFLNK:
            n.kind = "link"
            n.link = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
        case S_IFIFO: n.kind = "fifo"
        default: break
        }
        out[rel] = n
    }
    visit(".")
    return out
}

/// libc's xattr calls (sys/xattr.h is not part of the Glibc module), found with dlsym.
enum XattrCalls {
    typealias List = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<CChar>?, Int) -> Int
    typealias Get = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    typealias Remove = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>) -> Int32
    static func symbol<T>(_ name: String, as: T.Type) -> T {
        guard let p = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { fatalError("no \(name) in libc") }
        return unsafeBitCast(p, to: T.self)
    }
    nonisolated(unsafe) static let list = symbol("llistxattr", as: List.self)
    nonisolated(unsafe) static let get = symbol("lgetxattr", as: Get.self)
    nonisolated(unsafe) static let remove = symbol("lremovexattr", as: Remove.self)
}

/// The extended attributes of `path` itself (not of a symlink's target), values in hex.
func xattrs(_ path: String) -> [String: String] {
    let size = XattrCalls.list(path, nil, 0)
    guard size > 0 else { return [:] }
    var names = [CChar](repeating: 0, count: size)
    let got = XattrCalls.list(path, &names, size)
    guard got > 0 else { return [:] }
    var out: [String: String] = [:]
    for raw in names[0..<got].split(separator: 0) {
        let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let n = XattrCalls.get(path, name, nil, 0)
        guard n >= 0 else { continue }
        var value = [UInt8](repeating: 0, count: n)
        _ = XattrCalls.get(path, name, &value, n)
        out[name] = value.map { String(format: "%02x", $0) }.joined()
    }
    return out
}

/// Removes one extended attribute; whether it was there.
func removeXattr(_ path: String, _ name: String) -> Bool { XattrCalls.remove(path, name) == 0 }

/// The SHA-256 of a file's content, read in 1 MiB pieces.
func digest(_ path: String) -> String {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return "unreadable" }
    defer { close(fd) }
    let sha = SHA256Stream()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        let n = read(fd, buffer.baseAddress, buffer.count)
        if n <= 0 { break }
        sha.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
    }
    return sha.finish()
}

/// Records one issue per path that differs, so a failure says what changed.
func expectSameTree(_ actual: [String: Node], _ expected: [String: Node], _ what: String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    var diffs: [String] = []
    for path in Set(actual.keys).union(expected.keys).sorted() {
        switch (expected[path], actual[path]) {
        case let (e?, a?) where e != a: diffs.append("\(path): expected \(e), got \(a)")
        case (nil, _?): diffs.append("\(path): should not exist")
        case (_?, nil): diffs.append("\(path): is missing")
        default: break
        }
    }
    #expect(diffs.isEmpty, "\(what):\n\(diffs.prefix(30).joined(separator: "\n"))", sourceLocation: sourceLocation)
}

// MARK: snapshot surgery

/// Replaces the last-good snapshot's tar of volume `index` with `crafted`, and rewrites the
/// manifest's sha256 and bytes to match, so that the checksum passes and what refuses (or
/// not) is the header scanner.
func replaceTar(_ store: SnapshotStore, app: String, volume index: Int = 0, with crafted: String) throws {
    guard let dir = store.lastGoodDirectory(app) else { throw Failed("\(app) has no last-good") }
    let manifestPath = "\(dir)/manifest.json"
    let json = try JSON.decode(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: manifestPath))))
    guard var volumes = json["volumes"]?.arrayValue, let tar = volumes[index]["tar"]?.stringValue else {
        throw Failed("the manifest of \(app) has no volume \(index)")
    }
    try FileManager.default.removeItem(atPath: "\(dir)/\(tar)")
    try FileManager.default.copyItem(atPath: crafted, toPath: "\(dir)/\(tar)")
    volumes[index] = setting(volumes[index], ["sha256": .string(try sha256sum(crafted)), "bytes": .int(Int64(fileSize(crafted)))])
    let text = try JSON.encode(setting(json, ["volumes": .array(volumes)]), options: .init(pretty: true, sortKeys: false))
    try FileManager.default.removeItem(atPath: manifestPath)
    try write(manifestPath, text + "\n")
}

/// `object` with the given keys replaced.
func setting(_ object: DataValue, _ values: [String: DataValue]) -> DataValue {
    guard case .object(let pairs) = object else { return object }
    return .object(pairs.map { (k, v) in (k, values[k] ?? v) })
}

/// A thread-safe box for a result produced on another thread.
final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var _value: T
    init(_ v: T) { _value = v }
    var value: T {
        get { lock.lock(); defer { lock.unlock() }; return _value }
        set { lock.lock(); _value = newValue; lock.unlock() }
    }
}
