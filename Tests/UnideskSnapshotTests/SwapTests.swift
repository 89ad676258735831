import Foundation
import Testing
@testable import UnideskSnapshot

/// The swap of the restored directory into place, where the target is not a plain
/// directory beside its parent: a mount point, a symlink.
extension SnapshotTests {
    @Suite struct SwapTests {
        /// Two volumes, the second a mount point (a host path that is its own filesystem):
        /// its sibling cannot be exchanged with it. Whatever the outcome, a restore changes
        /// all the volumes or none ("the volumes are as they were before the call").
        @Test func failedSwapOfOneVolumeLeavesTheOthersUnchanged() throws {
            let s = try Scratch("swap")
            defer { s.remove() }
            let db = try s.dir("db")
            let mounted = try s.tmpfs("files", size: "8m")
            try write("\(db)/table", "rows at take time\n")
            try write("\(mounted)/upload", "upload at take time\n")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            try store.take("shop", [("db", db), ("files", mounted)])
            let dbTaken = fingerprint(db), filesTaken = fingerprint(mounted)

            try write("\(db)/table", "rows now\n")
            try write("\(mounted)/upload", "upload now\n")
            let dbNow = fingerprint(db), filesNow = fingerprint(mounted)

            do {
                try store.restore("shop", into: ["db": db, "files": mounted])
                expectSameTree(fingerprint(db), dbTaken, "db was not restored")
                expectSameTree(fingerprint(mounted), filesTaken, "files was not restored")
            } catch {
                expectSameTree(fingerprint(db), dbNow, "the restore failed (\(error)) but changed db")
                expectSameTree(fingerprint(mounted), filesNow, "the restore failed (\(error)) but changed files")
            }
            #expect(restoreSiblings(in: s.path).isEmpty, "left \(restoreSiblings(in: s.path))")
        }

        /// A target given with a trailing slash (as host paths in configuration often are).
        @Test func targetWithATrailingSlashIsRestored() throws {
            let s = try Scratch("slash")
            defer { s.remove() }
            let db = try s.dir("db")
            try write("\(db)/table", "rows at take time\n")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            try store.take("shop", [("db", db + "/")])
            let taken = fingerprint(db)
            try write("\(db)/table", "rows now\n")
            try store.restore("shop", into: ["db": db + "/"])
            expectSameTree(fingerprint(db), taken, "the volume was not restored")
            #expect(restoreSiblings(in: s.path).isEmpty)
        }

        /// Two volumes in one directory whose names share more than the 60 characters a
        /// staging name keeps of them: each gets its own staging, and both are restored.
        @Test func volumesWithLongSharedNamePrefixesAreEachRestored() throws {
            let s = try Scratch("longnames")
            defer { s.remove() }
            let common = String(repeating: "orders-archive-", count: 5)
            let a = try s.dir("\(common)a"), b = try s.dir("\(common)b")
            try write("\(a)/f", "a at take time\n")
            try write("\(b)/f", "b at take time\n")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            try store.take("shop", [("a", a), ("b", b)])
            let (takenA, takenB) = (fingerprint(a), fingerprint(b))
            try write("\(a)/f", "a now\n")
            try write("\(b)/f", "b now\n")
            try store.restore("shop", into: ["a": a, "b": b])
            expectSameTree(fingerprint(a), takenA, "volume a was not restored")
            expectSameTree(fingerprint(b), takenB, "volume b was not restored")
            #expect(restoreSiblings(in: s.path).isEmpty)
        }

        /// A host path that is a symlink to the real directory (/srv/data → /mnt/disk/data):
        /// the data is restored into the directory it names, and the symlink stays.
        @Test func symlinkedTargetIsRestoredThroughTheLink() throws {
            let s = try Scratch("symtarget")
            defer { s.remove() }
            let real = try s.dir("disk/data")
            try s.dir("srv")
            let linked = "\(s.path)/srv/data"
            try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: real)
            try write("\(real)/table", "rows at take time\n")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            try store.take("shop", [("db", linked)])
            let taken = fingerprint(real)

            try write("\(real)/table", "rows now\n")
            try store.restore("shop", into: ["db": linked])
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: linked)) == real,
                    "the symlink \(linked) was replaced by a directory")
            expectSameTree(fingerprint(real), taken, "the directory the symlink names was not restored")
            #expect(restoreSiblings(in: "\(s.path)/srv").isEmpty && restoreSiblings(in: "\(s.path)/disk").isEmpty)
        }
    }
}

extension SnapshotTests {
    /// The old data is removed by several `rm` at once; nothing of it may survive, whatever
    /// the shape of the tree (few top-level entries are split one level deeper).
    @Suite struct RemovalTests {
        @Test func treesOfEveryShapeAreRemovedCompletely() throws {
            let s = try Scratch("removal")
            defer { s.remove() }
            try sh("""
                cd '\(s.path)' && mkdir -p wide narrow/only/deep single && \
                for i in $(seq 1 40); do mkdir wide/d$i; echo x > wide/d$i/f; echo y > wide/f$i; done && \
                for i in $(seq 1 30); do echo z > narrow/only/f$i; done && echo w > narrow/only/deep/g && \
                ln -s /etc narrow/link-out && echo v > single/file
                """)
            FileSystem.remove(["\(s.path)/wide", "\(s.path)/narrow", "\(s.path)/single", "\(s.path)/missing"])
            let left = try FileManager.default.contentsOfDirectory(atPath: s.path)
            #expect(left.isEmpty, "left behind: \(left)")
            #expect(FileManager.default.fileExists(atPath: "/etc/hostname"), "a symlink's target is not followed")
        }
    }
}

extension SnapshotTests {
    /// The free-space check's estimate is an upper bound of the archive tar writes (so a take
    /// that passes it does not fill the disk), and not so loose that it refuses a fitting one.
    @Suite struct EstimateTests {
        @Test func theEstimateBoundsTheArchiveFromAbove() throws {
            let s = try Scratch("estimate")
            defer { s.remove() }
            let src = s.path + "/src"
            try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
            try RoundTripTests.buildTree(src)
            let actual = try #require(Int(try sh("""
                tar --create --file=- --format=gnu --numeric-owner --sparse --xattrs --one-file-system --directory '\(src)' . | wc -c
                """).trimmingCharacters(in: .whitespacesAndNewlines)))
            let estimate = FileSystem.estimateTarBytes(src)
            #expect(estimate >= actual, "estimate \(estimate) < the archive's \(actual) bytes")
            #expect(estimate <= actual * 2 + (64 << 10), "estimate \(estimate) is far above the archive's \(actual) bytes")
            #expect(FileSystem.estimateTarBytes(s.path + "/missing") == 1024, "a path that cannot be read estimates as an empty archive")
        }
    }
}
