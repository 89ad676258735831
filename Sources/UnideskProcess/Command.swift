import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished command printed and how it ended.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: [UInt8]
    public let stderr: [UInt8]
    /// The deadline passed: the command was sent SIGTERM (then SIGKILL).
    public let timedOut: Bool

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// The last `lines` lines of stderr, for an error message.
    public func stderrTail(_ lines: Int = 8) -> String {
        stderrText.split(whereSeparator: \.isNewline).suffix(lines).joined(separator: "\n")
    }
}

public enum Command {
    /// Runs a command to completion, collecting its output, within `timeout` seconds.
    public static func run(_ argv: [String], environment: [String: String], input: [UInt8]? = nil,
                           directory: String? = nil, timeout: Double, maxOutput: Int = 16 << 20) throws(ChildProcess.SpawnError) -> CommandResult {
        let child = try ChildProcess(argv, environment: environment, withStdin: input != nil, directory: directory)
        if let input, let fd = child.stdin {
            // Small inputs only (compose files, configuration): written before reading.
            var off = 0
            while off < input.count {
                let n = input[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if n < 0 { if errno == EINTR { continue }; break }
                off += n
            }
            child.closeStdin()
        }
        var out: [UInt8] = [], err: [UInt8] = []
        var open: [Int32] = [child.stdout, child.stderr]
        let deadline = monotonicNow() + timeout
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            let left = deadline - monotonicNow()
            if left <= 0 {
                timedOut = true
                child.signal(SIGTERM)
                if child.wait(seconds: 3) == nil { child.signal(SIGKILL) }
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let r = poll(&fds, nfds_t(fds.count), Int32(min(left * 1000, 1000)) + 1)
            if r <= 0 { continue }
            for p in fds where p.revents != 0 {
                let n = read(p.fd, &buffer, buffer.count)
                if n > 0 {
                    if p.fd == child.stdout { if out.count < maxOutput { out += buffer[0..<n] } }
                    else if err.count < maxOutput { err += buffer[0..<n] }
                } else if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) {
                    open.removeAll { $0 == p.fd }
                }
            }
        }
        let status = child.wait()
        return CommandResult(status: status, stdout: out, stderr: err, timedOut: timedOut)
    }

    /// The first executable named `name` in PATH, or nil.
    public static func find(_ name: String, path: String?) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
