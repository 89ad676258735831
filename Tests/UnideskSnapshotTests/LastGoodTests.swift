import Foundation
import Testing
@testable import UnideskSnapshot

/// last-good always points at the newest complete snapshot; `keep` bounds how many stay.
extension SnapshotTests {
    @Suite struct LastGoodTests {
        @Test func keepBoundsTheSnapshotsAndLastGoodIsTheNewest() throws {
            let s = try Scratch("keep")
            defer { s.remove() }
            let src = try s.dir("volume")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            var ids: [String] = []
            for i in 1...3 {
                try write("\(src)/version", "\(i)\n")
                ids.append(try store.take("shop", [("data", src)], keep: 2).id)
            }
            #expect(Set(ids).count == 3)
            #expect(store.snapshotIDs("shop") == Array(ids.suffix(2)), "keep: 2 keeps the two newest")
            #expect(store.lastGoodLink("shop") == "snapshots/\(ids[2])")
            #expect(try store.info(app: "shop")?.id == ids[2])

            // The newest is what a restore brings back.
            try write("\(src)/version", "changed\n")
            try store.restore("shop", into: ["data": src])
            #expect(try String(contentsOfFile: "\(src)/version", encoding: .utf8) == "3\n")

            try write("\(src)/version", "4\n")
            let fourth = try store.take("shop", [("data", src)], keep: 1).id
            #expect(store.snapshotIDs("shop") == [fourth])
            #expect(store.lastGoodLink("shop") == "snapshots/\(fourth)")
        }

        /// A take that died leaves `.incoming-*` (and maybe a `.last-good-*` link never
        /// swapped in): the next take removes them and they never become last-good.
        @Test func leftoversOfACrashedTakeAreRemoved() throws {
            let s = try Scratch("leftover")
            defer { s.remove() }
            let src = try s.dir("volume")
            try write("\(src)/f", "f\n")
            let root = try s.dir("snapshots")
            let store = SnapshotStore(root: root)
            let first = try store.take("shop", [("data", src)])

            let crashed = try s.dir("snapshots/shop/.incoming-xyz")
            try write("\(crashed)/01-data.tar", "half a tar")
            #expect(symlink(".incoming-xyz", "\(root)/shop/.last-good-xyz") == 0)
            #expect(try store.info(app: "shop")?.id == first.id, "a leftover is not last-good")

            let second = try store.take("shop", [("data", src)])
            #expect(!exists(crashed))
            #expect(!exists("\(root)/shop/.last-good-xyz"))
            #expect(store.incoming("shop").isEmpty)
            #expect(store.lastGoodLink("shop") == "snapshots/\(second.id)")
            #expect(store.snapshotIDs("shop") == [second.id])
        }

        /// A restore killed after its swap leaves the old data in its staging directory
        /// while deleting it. The next restore of that volume by the same app removes it,
        /// whichever snapshot it was of; another app's staging beside the volume stays.
        @Test func stagingsOfADeadRestoreAreRemovedByTheNextOne() throws {
            let s = try Scratch("deadrestore")
            defer { s.remove() }
            let volume = try s.dir("volumes/data")
            try write("\(volume)/f", "1\n")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            let older = try store.take("shop", [("data", volume)])
            try write("\(volume)/f", "2\n")
            try store.take("shop", [("data", volume)])

            let parent = "\(s.path)/volumes"
            let dead = "\(parent)/\(SnapshotStore.stagingPrefix(app: "shop", target: volume))\(older.id)"
            let others = "\(parent)/\(SnapshotStore.stagingPrefix(app: "shop-admin", target: volume))\(older.id)"
            for d in [dead, others] {
                try FileManager.default.createDirectory(atPath: "\(d)/old", withIntermediateDirectories: true)
                try write("\(d)/old/f", "old\n")
            }

            try store.restore("shop", into: ["data": volume])
            #expect(try String(contentsOfFile: "\(volume)/f", encoding: .utf8) == "2\n")
            #expect(!exists(dead), "the dead restore's staging of snapshot \(older.id) is still beside the volume")
            #expect(exists(others), "another app's staging was removed")
            #expect(restoreSiblings(in: parent) == [(others as NSString).lastPathComponent])
        }
    }
}
