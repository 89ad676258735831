import Foundation
import CSystem
import UnideskProcess
#if canImport(Glibc)
import Glibc
#endif

/// GNU tar does the archiving (ownership, modes, hardlinks, sparse files, xattrs, as
/// operators know it); every byte passes through unidesk on its way, to be hashed and its
/// headers checked, so a snapshot is verified in the same pass that writes or reads it.
enum TarPipes {
    struct Archived {
        var bytes = 0
        var entries = 0
        var files = 0
        var sha256 = ""
        var warnings: [String] = []
    }

    static let chunk = 1 << 20
    /// tar's records when unidesk takes a snapshot: 2048 blocks of 512 bytes, 1 MiB.
    static let recordBlocks = 2048
    /// tar's default record (20 blocks), the unit the archive's end is padded to.
    static let defaultRecord = 20 * 512

    static var environment: [String: String] {
        ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LC_ALL": "C"]
    }

    /// Writes a tar of `directory` to `file` (created, never replaced), hashing it on the way.
    ///
    /// tar writes the file itself (its stdout is the file) and unidesk follows the file as it
    /// grows, hashing and header-checking what tar has written: the archive's bytes are
    /// copied once fewer than through a pipe, which on 2 CPUs decides whether unidesk or tar
    /// sets the pace. Writeback of what was read is started at once, so the closing fsync
    /// has little left to do.
    ///
    /// tar writes 1 MiB records: with its default 10 KiB ones every write lands partway
    /// into a page, and on ext4 `tar --create` took twice as long (1.46 s against 0.70 s for
    /// this project's 1 GiB benchmark volume). The zeros tar pads its last record with are
    /// cut off again at its default record size, so the file is byte for byte what tar
    /// writes by default.
    static func archive(_ directory: String, to file: String, progress: (Int) -> Void) throws(SnapshotError) -> Archived {
        let out = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard out >= 0 else { throw SnapshotError(.io, "cannot create \(file): \(FileSystem.errnoText())") }
        defer { close(out) }
        let follow = open(file, O_RDONLY | O_CLOEXEC)
        guard follow >= 0 else { throw SnapshotError(.io, "cannot read back \(file): \(FileSystem.errnoText())") }
        defer { close(follow) }
        let tar: ChildProcess
        do {
            // tar no longer writes into a pipe of ours, so nothing would stop it if unidesk
            // were killed: setpriv (util-linux) has the kernel kill it with its parent.
            tar = try ChildProcess(["setpriv", "--pdeathsig", "KILL", "--", "tar", "--create", "--file=-", "--blocking-factor=\(recordBlocks)", "--format=gnu", "--numeric-owner", "--sparse", "--xattrs",
                                    "--one-file-system", "--directory", directory, "."], environment: environment, stdoutTo: out)
        } catch { throw SnapshotError(.io, "cannot start tar: \(error)") }
        let errors = StderrCollector(tar.stderr)
        /// Ends tar and its stderr reader before an error leaves.
        func abandon() {
            tar.signal(SIGKILL)
            tar.wait()
            _ = errors.finish()
        }
        var scanner = TarScanner(policy: .count)
        let sha = SHA256Stream()
        var result = Archived()
        var position = 0              // bytes read back so far
        var cut: Int?                 // the archive's length without the last record's padding
        var writebackStarted = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 4096)
        defer { buffer.deallocate() }
        var status: Int32?
        var idle: useconds_t = 250
        while true {
            let n = read(follow, buffer.baseAddress, chunk)
            if n < 0 { if errno == EINTR { continue }; let why = FileSystem.errnoText(); abandon(); throw SnapshotError(.io, "reading back \(file): \(why)") }
            if n == 0 {
                // Caught up with tar: done once it has exited and its last bytes were read.
                // While tar is slow (a cold disk), the waits grow to 16 ms: few wake-ups.
                if status != nil { break }
                status = tar.exitIfDone()
                if status == nil { usleep(idle); idle = min(idle * 2, 16_000) }
                continue
            }
            idle = 250
            let data = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            do { try scanner.feed(data) } catch {
                abandon()
                throw SnapshotError(.io, "tar wrote an archive unidesk cannot read back: \(error)")
            }
            if cut == nil, let end = scanner.end { cut = (end + defaultRecord - 1) / defaultRecord * defaultRecord }
            let kept = cut.map { max(0, min(n, $0 - position)) } ?? n
            if kept > 0 { sha.update(UnsafeRawBufferPointer(rebasing: buffer[0..<kept])) }
            position += n
            if position - writebackStarted >= 8 << 20 {
                _ = ud_start_writeback(follow, off_t(writebackStarted), off_t(position - writebackStarted))
                writebackStarted = position
            }
            progress(position)
        }
        let exit = status ?? tar.wait()
        let stderr = errors.finish()
        if stderr.contains("No space left on device") || stderr.contains("Disk quota exceeded") {
            throw SnapshotError(.noSpace, "the disk filled up while writing \(file) (after \(position) bytes); the last-good snapshot is unchanged")
        }
        // tar exits 1 when a file changed while it was read: archived, with a warning.
        guard exit == 0 || exit == 1 else {
            throw SnapshotError(.io, "tar failed on \(directory) (exit \(exit)): \(stderr.suffix(400))")
        }
        if exit == 1 || !stderr.isEmpty {
            result.warnings = stderr.split(separator: "\n").prefix(20).map(String.init)
        }
        do { try scanner.checkComplete() } catch { throw SnapshotError(.io, "tar's archive of \(directory) is incomplete: \(error)") }
        result.bytes = min(position, cut ?? position)
        if result.bytes < position, ftruncate(out, off_t(result.bytes)) != 0 {
            throw SnapshotError(.io, "cutting the padding off \(file): \(FileSystem.errnoText())")
        }
        guard fsync(out) == 0 else {
            if errno == ENOSPC { throw SnapshotError(.noSpace, "the disk filled up while syncing \(file); the last-good snapshot is unchanged") }
            throw SnapshotError(.io, "syncing \(file): \(FileSystem.errnoText())")
        }
        result.entries = scanner.entries
        result.files = scanner.regularFiles
        result.sha256 = sha.finish()
        return result
    }

    /// Extracts `file` into `directory` (new and empty), refusing unsafe entries before tar
    /// sees them, and checks the whole file against `sha256`. On any failure the caller
    /// removes `directory`; nothing else was written.
    static func extract(_ file: String, into directory: String, sha256 expected: String, progress: (Int) -> Void) throws(SnapshotError) {
        let input = open(file, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw SnapshotError(.notFound, "cannot open \(file): \(FileSystem.errnoText())") }
        defer { close(input) }
        // 1 MiB records, reblocked from the pipe: tar's default 10 KiB reads cost it a
        // wake-up and a context switch each.
        var args = ["tar", "--extract", "--file=-", "--blocking-factor=2048", "--read-full-records", "--numeric-owner", "--same-permissions", "--xattrs", "--xattrs-include=*",
                    "--directory", directory]
        if geteuid() == 0 { args.insert("--same-owner", at: 2) }
        let tar: ChildProcess
        do { tar = try ChildProcess(args, environment: environment, withStdin: true) } catch {
            throw SnapshotError(.io, "cannot start tar: \(error)")
        }
        let errors = StderrCollector(tar.stderr)
        let drain = StderrCollector(tar.stdout)
        var scanner = TarScanner(policy: .confine)
        let sha = SHA256Stream()
        var done = 0
        // The bytes checked are read into unidesk; tar gets the same range of the file
        // spliced into its pipe, as references to the page-cache pages the read just
        // brought in. Writing them from unidesk's buffer instead costs a copy and a freshly
        // allocated pipe page per 4 KiB: here over twice the CPU time of the splice, on a
        // machine whose 2 CPUs tar and unidesk share. (Both read the snapshot file, which
        // only a writer of the snapshot directory could change between the two.)
        var splicing = true
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 4096)
        defer { buffer.deallocate() }
        func stop() {
            tar.closeStdin()
            tar.signal(SIGKILL)
            tar.wait()
            _ = errors.finish()
            _ = drain.finish()
        }
        while true {
            let n = read(input, buffer.baseAddress, chunk)
            if n < 0 { if errno == EINTR { continue }; stop(); throw SnapshotError(.io, "reading \(file): \(FileSystem.errnoText())") }
            if n == 0 { break }
            let data = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            sha.update(data)
            // Past the end-of-archive blocks only the hash needs the bytes (tar may be gone).
            let pastEnd = scanner.finished
            do { try scanner.feed(data) } catch {
                stop()
                if error.corrupt { throw SnapshotError(.corrupt, "\(file) is damaged: \(error)") }
                throw SnapshotError(.unsafeArchive, "refused \(file): \(error)")
            }
            var off = 0
            while !pastEnd, off < n, let fd = tar.stdin {
                let w: Int
                if splicing {
                    var at = off_t(done + off)
                    w = ud_splice_file_to_pipe(input, &at, fd, n - off)
                    if w < 0 && (errno == EINVAL || errno == ENOSYS) { splicing = false; continue }   // no splice here: copy
                    if w == 0 { stop(); throw SnapshotError(.io, "\(file) became shorter while it was restored") }
                } else {
                    w = write(fd, data.baseAddress! + off, n - off)
                }
                if w < 0 {
                    if errno == EINTR { continue }
                    if scanner.finished { tar.closeStdin(); break }   // tar read the end and left
                    stop()
                    throw SnapshotError(.io, "tar stopped reading \(file): \(errors.finish().suffix(400))")
                }
                off += w
            }
            done += n
            progress(done)
        }
        tar.closeStdin()
        let status = tar.wait()
        let stderr = errors.finish()
        _ = drain.finish()
        do { try scanner.checkComplete() } catch {
            throw SnapshotError(.corrupt, "\(file) is damaged: \(error)")
        }
        let actual = sha.finish()
        guard actual == expected else {
            throw SnapshotError(.corrupt, "\(file) does not match its checksum (manifest \(expected.prefix(19))…, file \(actual.prefix(19))…): the snapshot is damaged; nothing was restored")
        }
        guard status == 0 else {
            if stderr.contains("No space left on device") || stderr.contains("Disk quota exceeded") {
                throw SnapshotError(.noSpace, "the disk filled up while restoring \(file); nothing was swapped in")
            }
            throw SnapshotError(.io, "tar failed extracting \(file) (exit \(status)): \(stderr.suffix(400))")
        }
    }
}

/// Reads a pipe to its end on a thread of its own, so a chatty child never blocks on it.
final class StderrCollector: @unchecked Sendable {
    private var data: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)
    private var finished: String?

    init(_ fd: Int32) {
        Thread.detachNewThread { [self] in
            var buf = [UInt8](repeating: 0, count: 8192)
            while true {
                let n = read(fd, &buf, buf.count)
                if n > 0 { if data.count < 64 << 10 { data += buf[0..<n] } } else if n == 0 || errno != EINTR { break }
            }
            done.signal()
        }
    }

    /// Waits for EOF; the text (last 64 KiB at most).
    func finish() -> String {
        if let finished { return finished }
        done.wait()
        finished = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return finished!
    }
}
