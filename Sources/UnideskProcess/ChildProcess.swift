import CSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn, its pipes as raw descriptors. The owner
/// reads and writes them and ends it by its PID: nothing here signals by name.
public final class ChildProcess {
    public let pid: pid_t
    /// Write end of the child's stdin, when requested; close it to send EOF.
    public private(set) var stdin: Int32?
    /// Read end of the child's stdout; -1 when its stdout went to a descriptor of the caller's.
    public let stdout: Int32
    public let stderr: Int32
    private var exitStatus: Int32?

    public struct SpawnError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts `argv[0]` (searched in PATH) with exactly `environment`. `stdoutTo` gives the
    /// child that descriptor as its stdout (a file it writes directly) instead of a pipe.
    public init(_ argv: [String], environment: [String: String], withStdin: Bool = false,
                directory: String? = nil, stdoutTo: Int32? = nil) throws(SpawnError) {
        precondition(!argv.isEmpty)
        _ = Self.ignoreBrokenPipes
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard stdoutTo != nil || ud_pipe_cloexec(&outPipe) == 0, ud_pipe_cloexec(&errPipe) == 0,
              !withStdin || ud_pipe_cloexec(&inPipe) == 0 else {
            throw SpawnError(description: "cannot create pipes: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if withStdin {
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdoutTo ?? outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        if let directory { ud_spawn_addchdir(&actions, directory) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child gets default signal handling and an empty mask: the run's deadline
        // timer signals must not reach it, and it must die of SIGTERM.
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawnp(&child, argv[0], &actions, &attributes, cArgs, cEnv)
        if stdoutTo == nil { close(outPipe[1]) }
        close(errPipe[1])
        if withStdin { close(inPipe[0]) }
        guard rc == 0 else {
            if stdoutTo == nil { close(outPipe[0]) }
            close(errPipe[0])
            if withStdin { close(inPipe[1]) }
            throw SpawnError(description: "cannot start \(argv[0]): \(String(cString: strerror(rc)))")
        }
        // 1 MiB pipes (the default is 64 KiB): tar streams gigabytes through them.
        if stdoutTo == nil { _ = ud_set_pipe_size(outPipe[0], 1 << 20) }
        if withStdin { _ = ud_set_pipe_size(inPipe[1], 1 << 20) }
        pid = child
        stdout = outPipe[0]
        stderr = errPipe[0]
        stdin = withStdin ? inPipe[1] : nil
    }

    /// Writing to a child that has exited must be an EPIPE error, not a SIGPIPE that
    /// ends unidesk.
    private static let ignoreBrokenPipes: Void = { _ = Glibc.signal(SIGPIPE, SIG_IGN) }()

    deinit {
        closeStdin()
        if stdout >= 0 { close(stdout) }
        close(stderr)
        if exitStatus == nil {
            Glibc.kill(pid, SIGKILL)
            _ = wait()
        }
    }

    public func closeStdin() {
        if let fd = stdin { close(fd) }
        stdin = nil
    }

    /// Sends `signal` to this child (by its PID, while it is not yet reaped).
    public func signal(_ signal: Int32) {
        if exitStatus == nil { Glibc.kill(pid, signal) }
    }

    /// Waits for the exit; the status, or 128 + the signal that ended it.
    @discardableResult
    public func wait() -> Int32 {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return record(status)
    }

    /// The exit status if the child has exited, without waiting; nil while it runs.
    public func exitIfDone() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid ? record(status) : nil
    }

    /// Waits up to `seconds` for the exit; nil while it still runs.
    public func wait(seconds: Double) -> Int32? {
        if let exitStatus { return exitStatus }
        let until = monotonicNow() + seconds
        repeat {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return record(status) }
            usleep(10_000)
        } while monotonicNow() < until
        return nil
    }

    private func record(_ status: Int32) -> Int32 {
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exitStatus = code
        return code
    }
}

/// Monotonic seconds.
public func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
