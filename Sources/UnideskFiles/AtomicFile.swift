import Foundation

/// Whole-file writes that are never seen half-done: write a temporary sibling, fsync it,
/// rename it over the target, fsync the directory. A crash leaves the old file or the new.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(FileAccessError) {
        // A bare name ("report.json") is in the working directory; its temporary sibling must
        // be too, or the rename crosses filesystems (and the temporary lands in "/").
        let parent = (path as NSString).deletingLastPathComponent
        let dir = parent.isEmpty ? "." : parent
        let base = (path as NSString).lastPathComponent
        let tmp = "\(dir)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw error(path, "cannot create a temporary file in '\(dir)'") }
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        var written = 0
        let failure: FileAccessError? = bytes.withUnsafeBytes { buf -> FileAccessError? in
            while written < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + written, buf.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    let why = errno == ENOSPC ? "no space left on device" : String(cString: strerror(errno))
                    return FileAccessError(kind: errno == ENOSPC ? .noSpace : .io, path: path,
                                           message: "cannot write '\(path)': \(why)")
                }
                written += n
            }
            return nil
        }
        if let failure { close(fd); throw failure }
        guard fsync(fd) == 0 else { close(fd); throw error(path, "cannot sync '\(path)'") }
        close(fd)
        guard rename(tmp, path) == 0 else { throw error(path, "cannot replace '\(path)'") }
        ok = true
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    private static func error(_ path: String, _ message: String) -> FileAccessError {
        FileAccessError(kind: .io, path: path, message: "\(message): \(String(cString: strerror(errno)))")
    }
}
