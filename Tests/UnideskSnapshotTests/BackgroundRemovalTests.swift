import Foundation
import Testing
@testable import UnideskSnapshot

/// `oldData: .removeInBackground` (what `unidesk.snapshot.restore` uses): the restore returns
/// with the new data in place, the old data goes while the caller carries on, and the app's
/// next operation in this store waits for it instead of finding its own lock busy.
extension SnapshotTests {
    @Suite struct BackgroundRemovalTests {
        /// A volume of `files` small files that all say `marker`.
        func fill(_ volume: String, _ marker: String, files: Int) throws {
            for i in 0..<files { try write("\(volume)/f\(i)", "\(marker) \(i)\n") }
        }

        func restoreInBackground(_ store: SnapshotStore, _ app: String, into volume: String) throws {
            _ = try store.restore(app: app, oldData: .removeInBackground, target: { _ in volume }, inUse: { _ in [] })
        }

        @Test func theNewDataIsInPlaceAtReturnAndTheOldIsGoneAfterTheWait() throws {
            let s = try Scratch("bgremove")
            defer { s.remove() }
            let volume = try s.dir("volumes/data")
            try fill(volume, "snapshot", files: 2000)
            let store = SnapshotStore(root: try s.dir("snapshots"))
            try store.take("shop", [("data", volume)])
            try sh("rm -f '\(volume)'/f1*; echo changed > '\(volume)/f0'; echo extra > '\(volume)/new'")

            try restoreInBackground(store, "shop", into: volume)
            // What the caller sees at once: the snapshot's data, all of it, nothing else.
            let names = try FileManager.default.contentsOfDirectory(atPath: volume)
            #expect(names.count == 2000 && !names.contains("new"))
            #expect(try String(contentsOfFile: "\(volume)/f0", encoding: .utf8) == "snapshot 0\n")
            #expect(try String(contentsOfFile: "\(volume)/f1999", encoding: .utf8) == "snapshot 1999\n")

            store.waitForRemovals()
            #expect(restoreSiblings(in: "\(s.path)/volumes").isEmpty, "the old data is still beside the volume")
            // The lock went with the removal: another process gets it at once.
            try sh("flock --nonblock '\(s.path)/snapshots/shop/.lock' true")
        }

        @Test func theAppsNextOperationsWaitForTheRemovalInsteadOfBeingBusy() throws {
            let s = try Scratch("bgnext")
            defer { s.remove() }
            let volume = try s.dir("volumes/data")
            try fill(volume, "one", files: 1000)
            let store = SnapshotStore(root: try s.dir("snapshots"))
            let first = try store.take("shop", [("data", volume)])
            try fill(volume, "two", files: 1000)

            try restoreInBackground(store, "shop", into: volume)
            try restoreInBackground(store, "shop", into: volume)   // restore twice in a row
            #expect(try String(contentsOfFile: "\(volume)/f7", encoding: .utf8) == "one 7\n")
            let second = try store.take("shop", [("data", volume)], keep: 2)
            #expect(store.snapshotIDs("shop") == [first.id, second.id])
            #expect(restoreSiblings(in: "\(s.path)/volumes").isEmpty, "the take ran before the removal had ended")
            try restoreInBackground(store, "shop", into: volume)
            #expect(try store.drop(app: "shop"))
            #expect(restoreSiblings(in: "\(s.path)/volumes").isEmpty, "the drop ran before the removal had ended")
        }
    }
}
