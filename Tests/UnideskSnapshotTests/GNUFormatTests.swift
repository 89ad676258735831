import Foundation
import Testing
@testable import UnideskSnapshot

/// unidesk's own tars are pax (GNU tar switches to it for --xattrs); a snapshot tar written
/// by plain `tar --format=gnu --sparse` (by hand, or by another tool) uses the old GNU
/// sparse entries ('S'), whose map continues in extension blocks between the header and
/// the data. The scanner says it understands them; a restore of such a tar must work.
extension SnapshotTests {
    @Suite struct GNUFormatTests {
        @Test func plainGNUTarWithSparseExtensionBlocksRestores() throws {
            let s = try Scratch("gnu")
            defer { s.remove() }
            let volume = try s.dir("volume")
            try write("\(volume)/data.txt", "taken\n")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            try store.take("shop", [("data", volume)])

            // Three sparse files of 10 regions each (more than the 4 a header holds) and
            // five plain ones: whatever the directory order, a sparse entry is followed by
            // another entry.
            let tree = try s.dir("tree")
            try python("""
                for n in range(3):
                    with open('\(tree)/many-%d.img' % n, 'wb') as f:
                        f.truncate(64 << 20)
                        for i in range(10):
                            f.seek(i * (6 << 20))
                            f.write(bytes([0xab]) * 8192)
                for i in range(5):
                    with open('\(tree)/plain-%d.txt' % i, 'w') as f:
                        f.write('plain file %d\\n' % i)
                """)
            let crafted = "\(s.path)/gnu.tar"
            try sh("tar --create --file='\(crafted)' --format=gnu --sparse --numeric-owner --directory '\(tree)' .")
            let extended = try sh("""
                python3 -c "
                d = open('\(crafted)', 'rb').read()
                print(sum(1 for o in range(0, len(d), 512) if d[o + 156:o + 157] == b'S' and d[o + 482] == 1 and d[o + 257:o + 263] == b'ustar '))"
                """).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(extended == "3", "the archive should hold 3 GNU sparse entries with extension blocks")

            try replaceTar(store, app: "shop", with: crafted)
            try store.restore("shop", into: ["data": volume])
            expectSameTree(fingerprint(volume), fingerprint(tree), "the restored volume differs from the archived tree")
        }
    }
}
