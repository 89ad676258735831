import Foundation
import LuaRuntime
import UnideskCore

/// The write end of the self-pipe the SIGINT handler signals through. A constant-initialised
/// global (no lazy initialisation), so the handler may read it.
nonisolated(unsafe) private var replSignalPipeWrite: Int32 = -1

/// Ctrl-C presses so far. Written by the SIGINT handler, which runs on the main thread
/// (every other thread of the REPL blocks SIGINT), read by the line editor on that thread.
nonisolated(unsafe) var replSigintCount: Int32 = 0

/// The SIGINT handler: a counter and write(2) to the self-pipe, both async-signal-safe.
private let replSigintHandler: @convention(c) (Int32) -> Void = { _ in
    let saved = errno
    replSigintCount &+= 1
    var byte: UInt8 = 1
    _ = write(replSignalPipeWrite, &byte, 1)
    errno = saved
}

/// Ctrl-C for the REPL. A signal handler counts the press and writes a byte to a pipe; a
/// watcher thread reads it and interrupts the running evaluation (`LuaState.interrupt()`
/// is safe from another thread), or at the prompt wakes the line editor, which sees the
/// count change and drops the line.
///
/// SIGINT is blocked in every thread but the main one (threads inherit the mask of their
/// creator, so `init` blocks it before the REPL starts any thread and `install` unblocks it
/// on the main thread only). The handler then always interrupts the editor's poll() on the
/// main thread before it can read the keys typed after Ctrl-C.
final class ReplInterrupts: @unchecked Sendable {
    private let lock = NSLock()
    private var target: LuaState?
    private var presses = 0
    private var signalRead: Int32 = -1
    /// Readable when Ctrl-C was pressed at the prompt (the line editor polls it).
    private(set) var promptRead: Int32 = -1
    private var promptWrite: Int32 = -1
    private let interactive: Bool

    /// Call on the main thread before anything starts a thread (the console's spinner).
    init(interactive: Bool) {
        self.interactive = interactive
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Installs the handler and starts the watcher. Without it Ctrl-C keeps its default
    /// action (end the process).
    func install() {
        defer {
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGINT)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
        }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        signalRead = fds[0]
        replSignalPipeWrite = fds[1]
        guard pipe(&fds) == 0 else { return }
        promptRead = fds[0]
        promptWrite = fds[1]
        for fd in [signalRead, replSignalPipeWrite, promptRead, promptWrite] {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        // Never block the handler or the drain.
        _ = fcntl(replSignalPipeWrite, F_SETFL, fcntl(replSignalPipeWrite, F_GETFL) | O_NONBLOCK)
        _ = fcntl(promptRead, F_SETFL, fcntl(promptRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(promptWrite, F_SETFL, fcntl(promptWrite, F_GETFL) | O_NONBLOCK)

        let thread = Thread { [self] in watch() }
        thread.stackSize = 1 << 18
        thread.start()

        var sa = sigaction()
        sa.__sigaction_handler.sa_handler = replSigintHandler
        sigemptyset(&sa.sa_mask)
        sa.sa_flags = SA_RESTART
        sigaction(SIGINT, &sa, nil)
    }

    /// An evaluation of `lua` starts: Ctrl-C now interrupts it.
    func begin(_ lua: LuaState) {
        lock.lock(); defer { lock.unlock() }
        target = lua
        presses = 0
    }

    /// The evaluation ended: after this returns no interrupt reaches the state.
    func end() {
        lock.lock(); defer { lock.unlock() }
        target = nil
    }

    private func watch() {
        var byte: UInt8 = 0
        while true {
            let n = read(signalRead, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            pressed()
        }
    }

    private func pressed() {
        lock.lock(); defer { lock.unlock() }
        if let target {
            presses += 1
            if presses >= 3 {
                // Stuck inside a host or C function that does not return to Lua.
                Console.writeFD(2, "\nunidesk: interrupted three times; the evaluation does not stop, exiting\n")
                _exit(130)
            }
            target.interrupt()
        } else if interactive {
            var b: UInt8 = 1
            _ = write(promptWrite, &b, 1)
        } else {
            Console.writeFD(2, "\n")
            _exit(130)
        }
    }
}
