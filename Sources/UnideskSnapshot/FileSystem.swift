import CSystem
import Foundation
import UnideskProcess
#if canImport(Glibc)
import Glibc
#endif

/// The filesystem steps a crash-safe snapshot needs.
enum FileSystem {
    /// fsync of a file or a directory (a directory's fsync makes renames in it durable).
    static func sync(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Bytes an unprivileged write can still use on the filesystem of `path`.
    static func freeBytes(_ path: String) -> Int? {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return nil }
        return Int(s.f_bavail) * Int(s.f_frsize)
    }

    /// An upper estimate of a tar of `directory`: a 512-byte header per entry and the
    /// data of regular files rounded up to 512 (sparse files by their allocated blocks).
    /// The walk is C (openat/fstatat): it runs before tar starts, so its time is the take's.
    static func estimateTarBytes(_ directory: String) -> Int {
        max(1024, Int(ud_estimate_tar_bytes(directory)))
    }

    /// Whether archives of `directories` certainly fit in the free space at `destination`
    /// without walking them: twice everything their filesystems hold (bytes in use, and 4 KiB
    /// of headers and names per inode in use; twice, for hardlinks' extra names and sparse
    /// maps) is still below the free space.
    static func certainlyFits(_ directories: [String], in destination: String) -> Bool {
        guard let free = freeBytes(destination) else { return false }
        var seen = Set<UInt64>()
        var bound = 1 << 20
        for d in directories {
            var st = stat()
            var fs = statvfs()
            guard stat(d, &st) == 0, statvfs(d, &fs) == 0 else { return false }
            guard seen.insert(UInt64(st.st_dev)).inserted else { continue }
            let used = Int(fs.f_blocks - fs.f_bfree) * Int(fs.f_frsize)
            let inodes = fs.f_files >= fs.f_ffree ? Int(fs.f_files - fs.f_ffree) : 0
            bound += used + inodes * 4096
        }
        return free > 2 * bound
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// Removes a tree. GNU rm (unlinkat, no per-entry Foundation objects) is several
    /// times faster than FileManager.removeItem on tens of thousands of files.
    static func remove(_ path: String) { remove([path]) }

    /// Removes the entries of `directory` whose names `matches` accepts, all in one `remove`.
    static func removeEntries(of directory: String, where matches: (String) -> Bool) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter(matches)
        remove(names.map { "\(directory)/\($0)" })
    }

    /// Removes trees, their parts by several `rm` at once. Deleting is system time and, on a
    /// filesystem mounted with `discard`, mostly waiting for the device to discard each
    /// file's blocks: removers beyond the CPUs overlap those waits. Measured here, 40,000
    /// files on a `discard` ext4: 8 removers 1.9-2.4 s, 2 removers 3.1-4.3 s; on a tmpfs
    /// both 0.3 s. What the parts leave (the directories above them) is removed last.
    static func remove(_ paths: [String]) {
        let roots = paths.filter(exists)
        guard !roots.isEmpty else { return }
        let parts = removalParts(roots)
        let removers = min(parts.count, maxRemovers)
        if removers > 1 {
            let groups = (0..<removers).map { k in stride(from: k, to: parts.count, by: removers).map { parts[$0] } }
            DispatchQueue.concurrentPerform(iterations: removers) { k in removeWithRM(groups[k]) }
        }
        if !removeWithRM(roots) { for root in roots where exists(root) { try? FileManager.default.removeItem(atPath: root) } }
    }

    static let maxRemovers = 8

    /// The entries one or two levels below `roots` (two when one level gives fewer than four
    /// per remover, so that the removers' shares come out even), on the roots' filesystems;
    /// empty when there are too many to pass on command lines.
    /// A directory entry's name, read where it lies. `e.pointee.d_name` would copy the whole
    /// 256-byte field, past the end of a short last record in readdir's buffer (found by
    /// `scripts/test --sanitize`: heap-buffer-overflow).
    static func entryName(_ e: UnsafeMutablePointer<dirent>) -> String {
        let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        return String(cString: UnsafeRawPointer(e).advanced(by: offset).assumingMemoryBound(to: CChar.self))
    }

    private static func removalParts(_ roots: [String]) -> [String] {
        func children(_ dir: String, device: dev_t) -> [(path: String, isDir: Bool)] {
            guard let d = opendir(dir) else { return [] }
            defer { closedir(d) }
            var out: [(String, Bool)] = []
            while let e = readdir(d) {
                let name = entryName(e)
                if name == "." || name == ".." { continue }
                var st = stat()
                let path = dir + "/" + name
                guard lstat(path, &st) == 0, st.st_dev == device else { continue }
                out.append((path, (st.st_mode & S_IFMT) == S_IFDIR))
            }
            return out
        }
        var parts: [(path: String, isDir: Bool)] = []
        for root in roots {
            var st = stat()
            guard lstat(root, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
            var level = children(root, device: st.st_dev)
            if level.count < 4 * maxRemovers {
                level = level.flatMap { $0.isDir ? children($0.path, device: st.st_dev) : [$0] }
            }
            parts += level
        }
        guard parts.count <= 20_000, parts.reduce(0, { $0 + $1.path.utf8.count + 1 }) < 1 << 20 else { return [] }
        return parts.map(\.path)
    }

    @discardableResult
    private static func removeWithRM(_ paths: [String]) -> Bool {
        guard !paths.isEmpty else { return true }
        let r = try? Command.run(["rm", "-rf", "--one-file-system", "--"] + paths,
                                 environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"], timeout: 3600)
        return r?.status == 0
    }

    static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(SnapshotError) {
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw SnapshotError(.io, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func device(_ path: String) -> UInt? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt(st.st_dev) : nil
    }

    /// The canonical path (symlinks resolved): a restore swaps the real directory.
    static func realPath(_ path: String) -> String {
        guard let p = realpath(path, nil) else { return path }
        defer { free(p) }
        return String(cString: p)
    }
}

/// An exclusive lock on one app's snapshots, across processes (flock), so two runs never
/// take or restore the same app at once. Released by `release()`, when the lock is
/// dropped, or when the process dies.
final class AppLock: @unchecked Sendable {
    /// 10 ms each: how long a holder that recorded no PID is waited for.
    static let unrecordedHolderWaits = 100
    private let mutex = NSLock()
    private var fd: Int32

    init(_ path: String, app: String) throws(SnapshotError) {
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SnapshotError(.io, "cannot open the lock \(path): \(FileSystem.errnoText())") }
        // A holder that recorded no PID may be a copy of a released lock's descriptor in a
        // child process between its fork and its exec (O_CLOEXEC closes it only at the exec):
        // the lock is free again within moments, so such a holder is given up to a second.
        // A holder that recorded a PID is another run: busy at once.
        var waited = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buf = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buf, buf.count, 0)
            let holder = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            if holder.isEmpty && waited < Self.unrecordedHolderWaits {
                waited += 1
                usleep(10_000)
                continue
            }
            close(fd)
            throw SnapshotError(.busy, "another unidesk run (pid \(holder.isEmpty ? "?" : holder)) is working on the snapshots of \(app); try again when it ends")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
    }

    /// The PID goes with the lock: a later holder that writes none (a plain flock) must
    /// not be reported as us.
    func release() {
        mutex.withLock {
            guard fd >= 0 else { return }
            _ = ftruncate(fd, 0)
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
