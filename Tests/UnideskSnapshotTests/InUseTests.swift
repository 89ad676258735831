import Foundation
import Testing
@testable import UnideskSnapshot

/// A volume a running container uses is not restored unless forced.
extension SnapshotTests {
    @Suite struct InUseTests {
        @Test func volumeInUseIsRefusedUnlessForced() throws {
            let s = try Scratch("inuse")
            defer { s.remove() }
            let src = try s.dir("volume")
            try write("\(src)/data.txt", "taken\n")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            try store.take("shop", [("data", src)])
            let taken = fingerprint(src)
            try write("\(src)/data.txt", "changed since\n")
            let current = fingerprint(src)

            let e = try #require(snapError { try store.restore("shop", into: ["data": src], inUse: ["web"]) })
            #expect(e.kind == .inUse)
            #expect(e.message.contains("web"), "\(e)")
            #expect(e.message.contains("data"), "the message names the volume: \(e)")
            expectSameTree(fingerprint(src), current, "a refused restore changed the volume")
            #expect(restoreSiblings(in: s.path).isEmpty)

            let two = try #require(snapError { try store.restore("shop", into: ["data": src], inUse: ["web", "worker"]) })
            #expect(two.kind == .inUse)
            #expect(two.message.contains("web") && two.message.contains("worker"), "\(two)")

            try store.restore("shop", into: ["data": src], inUse: ["web"], force: true)
            expectSameTree(fingerprint(src), taken, "a forced restore did not restore")
        }
    }
}
