import Foundation
import Testing
@testable import UnideskSnapshot

/// restore(volumes:) restores the volumes named and leaves the others alone.
extension SnapshotTests {
    @Suite struct SubsetTests {
        @Test func restoringOneVolumeLeavesTheOtherUntouched() throws {
            let s = try Scratch("subset")
            defer { s.remove() }
            let db = try s.dir("db"), files = try s.dir("files")
            try write("\(db)/table", "rows at take time\n")
            try write("\(files)/upload", "upload at take time\n")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            try store.take("shop", [("db", db), ("files", files)])
            let dbTaken = fingerprint(db)

            try write("\(db)/table", "rows now\n")
            try write("\(files)/upload", "upload now\n")
            try write("\(files)/later", "later\n")
            let filesNow = fingerprint(files)

            let asked = Box<[String]>([])
            let m = try store.restore(app: "shop", volumes: ["db"],
                                      target: { v in asked.value.append(v.name); return v.name == "db" ? db : files },
                                      inUse: { v in v.name == "files" ? ["web"] : [] })
            #expect(m.volumes.map(\.name) == ["db"])
            #expect(asked.value == ["db"], "only the restored volume's target is resolved")
            expectSameTree(fingerprint(db), dbTaken, "the restored volume differs from the snapshot")
            expectSameTree(fingerprint(files), filesNow, "the volume not asked for changed")
            #expect(restoreSiblings(in: s.path).isEmpty)
        }
    }
}
