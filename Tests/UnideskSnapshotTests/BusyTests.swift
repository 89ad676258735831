import Foundation
import Testing
import UnideskProcess
@testable import UnideskSnapshot

/// Another process holds the app's lock: take, restore and drop say .busy.
extension SnapshotTests {
    @Suite struct BusyTests {
        /// `flock` holding a lock while its command (a sleep) runs. Released once: the
        /// command by its PID (while flock, its parent, has not reaped it), then flock.
        final class LockHolder: @unchecked Sendable {
            let flock: ChildProcess
            let commandPid: pid_t
            private var released = false
            private let mutex = NSLock()

            /// Starts `flock -n -o lock sh -c …`: once the lock is held, the shell runs
            /// `first`, writes its PID ($$) to `pidFile` and execs `sleep holdFor`, after which
            /// flock exits and the lock is free.
            init(_ lock: String, pidFile: String, first: String = "true", holdFor: Double = 30) throws {
                flock = try ChildProcess(["flock", "-n", "-o", lock, "-c", "\(first) && echo $$ > '\(pidFile).tmp' && mv '\(pidFile).tmp' '\(pidFile)' && exec sleep \(holdFor)"],
                                         environment: ProcessInfo.processInfo.environment)
                let deadline = Date().addingTimeInterval(10)
                while !exists(pidFile) {
                    if let status = flock.wait(seconds: 0.01) { throw Failed("flock exited with \(status) before holding the lock") }
                    if Date() > deadline { flock.signal(SIGKILL); flock.wait(); throw Failed("flock did not take the lock") }
                }
                guard let pid = pid_t((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                    flock.signal(SIGKILL); flock.wait(); throw Failed("no PID in \(pidFile)")
                }
                commandPid = pid
            }

            func release() {
                let first = mutex.withLock { () -> Bool in
                    defer { released = true }
                    return !released
                }
                guard first else { return }
                if flock.wait(seconds: 0) == nil { kill(commandPid, SIGKILL) }
                if flock.wait(seconds: 5) == nil { flock.signal(SIGKILL); flock.wait() }
            }

            deinit { release() }
        }

        @Test func lockHeldByAnotherRunIsBusyAndNamesItsPid() throws {
            let s = try Scratch("busy")
            defer { s.remove() }
            let src = try s.dir("volume")
            try write("\(src)/f", "f\n")
            let root = try s.dir("snapshots")
            let store = SnapshotStore(root: root)
            let m = try store.take("shop", [("data", src)])

            // Like a unidesk run: the holder writes its PID into the lock file.
            let lock = "\(root)/shop/.lock"
            let holder = try LockHolder(lock, pidFile: "\(s.path)/holder.pid", first: "echo $$ > '\(lock)'")
            defer { holder.release() }
            let pidText = "\(holder.commandPid)"
            #expect(try String(contentsOfFile: lock, encoding: .utf8) == pidText + "\n")
            #expect(holder.commandPid != getpid())

            let take = try #require(snapError { try store.take("shop", [("data", src)]) })
            #expect(take.kind == .busy)
            #expect(take.message.contains("pid \(pidText)"), "\(take)")
            #expect(store.incoming("shop").isEmpty)
            #expect(store.snapshotIDs("shop") == [m.id])

            #expect(snapError { try store.restore("shop", into: ["data": src]) }?.kind == .busy)
            #expect(snapError { try store.drop(app: "shop") }?.kind == .busy)
            #expect(try store.info(app: "shop") == m, "reading needs no lock")

            holder.release()
            try store.take("shop", [("data", src)])
        }

        /// The lock file keeps the PID of the last run that held it. A holder that does not
        /// write its own (flock(1), a backup script) must not be reported as that old run —
        /// here this very process.
        @Test func busyDoesNotNameAStalePid() throws {
            let s = try Scratch("busy-stale")
            defer { s.remove() }
            let src = try s.dir("volume")
            try write("\(src)/f", "f\n")
            let root = try s.dir("snapshots")
            let store = SnapshotStore(root: root)
            try store.take("shop", [("data", src)])   // writes this process's PID into the lock file

            let holder = try LockHolder("\(root)/shop/.lock", pidFile: "\(s.path)/holder.pid")
            defer { holder.release() }

            let e = try #require(snapError { try store.take("shop", [("data", src)]) })
            #expect(e.kind == .busy)
            #expect(!e.message.contains("pid \(getpid())"), "the message names this process, which holds no lock: \(e)")
        }

        /// A holder that recorded no PID and lets go within a second (a copy of a released
        /// lock's descriptor in a child process between fork and exec, seen once in a full
        /// test run as "pid ?") is waited for: the take goes ahead instead of failing busy.
        @Test func aHolderWithoutAPidThatLetsGoSoonIsWaitedFor() throws {
            let s = try Scratch("busy-brief")
            defer { s.remove() }
            let src = try s.dir("volume")
            try write("\(src)/f", "f\n")
            let root = try s.dir("snapshots")
            let store = SnapshotStore(root: root)
            try store.take("shop", [("data", src)])

            // The holder lets go by itself (its sleep ends), not from a dispatch queue of this
            // process: on 2 CPUs a global queue runs 2 blocks at a time, and other suites'
            // blocking work once held the release back past the take's 1 s wait (a full run).
            let holder = try LockHolder("\(root)/shop/.lock", pidFile: "\(s.path)/holder.pid", holdFor: 0.4)
            defer { holder.release() }
            try store.take("shop", [("data", src)], keep: 2)
            #expect(store.snapshotIDs("shop").count == 2)
        }
    }
}
