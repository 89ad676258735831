import Foundation

/// Removals of a restore's old data that run on threads of their own, each holding its
/// app's lock until the data is gone, so nothing else works on the app's snapshots or
/// stagings meanwhile. A run that is killed leaves the rest to the app's next restore
/// (`SnapshotStore.removeDeadStagings`).
final class BackgroundRemovals: @unchecked Sendable {
    private let mutex = NSLock()
    private var running: [String: DispatchGroup] = [:]

    func start(app: String, paths: [String], holding lock: AppLock) {
        let group = DispatchGroup()
        group.enter()
        mutex.withLock { running[app] = group }
        Thread.detachNewThread {
            FileSystem.remove(paths)
            lock.release()
            group.leave()
        }
    }

    /// Returns once `app`'s removal (if one runs) has ended and its lock is released.
    func wait(app: String) {
        guard let group = mutex.withLock({ running[app] }) else { return }
        group.wait()
        mutex.withLock { if running[app] === group { running[app] = nil } }
    }

    /// Whether a removal has not ended yet.
    var anyRunning: Bool {
        mutex.withLock { running.values.contains { $0.wait(timeout: .now()) == .timedOut } }
    }

    func waitAll() {
        for app in mutex.withLock({ Array(running.keys) }) { wait(app: app) }
    }
}
