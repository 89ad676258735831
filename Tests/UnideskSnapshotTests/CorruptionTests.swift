import Foundation
import Testing
@testable import UnideskSnapshot

/// A damaged last-good tar: restore refuses with .corrupt and the volume keeps its data.
extension SnapshotTests {
    @Suite struct CorruptionTests {
        enum Damage: String, CaseIterable, CustomTestStringConvertible {
            case fileData, header, truncated
            var testDescription: String { rawValue }
        }

        static let marker = "UNIDESK-MARKER-0123456789abcdef"

        @Test(arguments: Damage.allCases)
        func damagedTarIsCorruptAndTheVolumeIsUnchanged(damage: Damage) throws {
            let s = try Scratch("corrupt")
            defer { s.remove() }
            let src = try s.dir("volume")
            try writeRandom("\(src)/head.bin", bytes: 1 << 20)
            try sh("cd '\(src)' && cat head.bin > big.bin && printf '\(Self.marker)' >> big.bin && cat head.bin >> big.bin && rm head.bin")
            try write("\(src)/small.txt", "small\n")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            let m = try store.take("shop", [("data", src)])
            let tar = try #require(store.lastGoodDirectory("shop")).appending("/\(m.volumes[0].tar)")

            try write("\(src)/small.txt", "changed after the snapshot\n")
            try write("\(src)/new.txt", "new\n")
            let current = fingerprint(src)

            switch damage {
            case .fileData: try flipByte(tar, at: try offset(of: Self.marker, in: tar) + 5)
            case .header: try flipByte(tar, at: try offset(of: "./big.bin", in: tar) + 3)   // in the name field
            case .truncated: #expect(truncate(tar, off_t(fileSize(tar) / 2)) == 0)
            }

            let e = try #require(snapError { try store.restore("shop", into: ["data": src]) })
            #expect(e.kind == .corrupt, "\(e)")
            expectSameTree(fingerprint(src), current, "a refused restore changed the volume")
            #expect(restoreSiblings(in: s.path).isEmpty, "left \(restoreSiblings(in: s.path))")
            #expect(try store.info(app: "shop") == m, "the manifest still describes the snapshot")
        }
    }
}
