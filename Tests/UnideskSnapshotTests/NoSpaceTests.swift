import Foundation
import Testing
@testable import UnideskSnapshot

/// Small tmpfs filesystems: a take or a restore that cannot fit says .noSpace and leaves
/// the last-good snapshot and the volume as they were.
extension SnapshotTests {
    @Suite struct NoSpaceTests {
        @Test func takeThatCannotFitIsRefusedBeforeWriting() throws {
            let s = try Scratch("nospace-take")
            defer { s.remove() }
            let root = try s.tmpfs("snapshots", size: "4m")
            let src = try s.dir("volume")
            try write("\(src)/small.txt", "small\n")
            let store = SnapshotStore(root: root)
            let previous = try store.take("shop", [("data", src)])

            try writeRandom("\(src)/big.bin", bytes: 8 << 20)
            let written = Box(0)
            let e = try #require(snapError {
                try store.take(app: "shop", sources: [.init(name: "data", kind: "path", directory: src)], meta: .object([]),
                               progress: { _, done, _ in written.value = done })
            })
            #expect(e.kind == .noSpace, "\(e)")
            #expect(written.value == 0, "\(written.value) bytes were written before the refusal")
            #expect(store.incoming("shop").isEmpty)
            #expect(store.snapshotIDs("shop") == [previous.id])
            #expect(try store.info(app: "shop") == previous)
            #expect(fileSize("\(root)/shop/snapshots/\(previous.id)/\(previous.volumes[0].tar)") == previous.volumes[0].bytes)

            let target = try s.dir("restored")
            try store.restore("shop", into: ["data": target])
            #expect(try String(contentsOfFile: "\(target)/small.txt", encoding: .utf8) == "small\n")
        }

        /// Without a progress display the walk is skipped only when the sources' whole
        /// filesystems would fit twice over; a small destination still gets the walk and the
        /// refusal before anything is written.
        @Test func theWalkIsSkippedOnlyWhereEverythingFits() throws {
            let s = try Scratch("nospace-bound")
            defer { s.remove() }
            let small = try s.tmpfs("small", size: "4m")
            let tiny = try s.tmpfs("tiny", size: "1m")
            try write("\(tiny)/note.txt", "a note\n")
            let big = try s.dir("volume")
            try writeRandom("\(big)/big.bin", bytes: 8 << 20)
            #expect(FileSystem.certainlyFits([tiny], in: s.path), "a 1 MiB filesystem fits in the scratch directory's")
            #expect(!FileSystem.certainlyFits([big], in: small), "the scratch directory's filesystem does not fit in 4 MiB")
            #expect(!FileSystem.certainlyFits([s.path + "/missing"], in: s.path), "an unreadable source is never assumed to fit")

            let store = SnapshotStore(root: small)
            let e = try #require(snapError {
                try store.take(app: "shop", sources: [.init(name: "data", kind: "path", directory: big)], meta: .object([]))
            })
            #expect(e.kind == .noSpace && e.message.contains("about 8"), "refused by the estimate: \(e)")
            #expect(store.incoming("shop").isEmpty)
        }

        /// Many small files: tar writes a header, a pax header (for --xattrs) and a data
        /// block for each, 1.5 KiB more than the data. The check before writing must see
        /// that they cannot fit, rather than let tar fill the disk.
        @Test func manySmallFilesThatCannotFitAreRefusedBeforeWriting() throws {
            let s = try Scratch("nospace-small")
            defer { s.remove() }
            let root = try s.tmpfs("snapshots", size: "4m")
            let src = try s.dir("volume")
            try write("\(src)/small.txt", "small\n")
            let store = SnapshotStore(root: root)
            let previous = try store.take("shop", [("data", src)])

            try python("for i in range(2500): open('\(src)/f%d' % i, 'w').write('x' * 100)")   // ~5 MiB of tar
            let written = Box(0)
            let e = try #require(snapError {
                try store.take(app: "shop", sources: [.init(name: "data", kind: "path", directory: src)], meta: .object([]),
                               progress: { _, done, _ in written.value = done })
            })
            #expect(e.kind == .noSpace, "\(e)")
            #expect(written.value == 0, "tar wrote \(written.value) bytes (the disk filled up) before the refusal")
            #expect(store.incoming("shop").isEmpty)
            #expect(try store.info(app: "shop") == previous)
        }

        /// The disk fills while tar writes (paths over 100 characters need long-name
        /// headers; whether the estimate sees it or not): still .noSpace, still clean.
        @Test func diskFillingDuringTakeIsNoSpace() throws {
            let s = try Scratch("nospace-fill")
            defer { s.remove() }
            let root = try s.tmpfs("snapshots", size: "4m")
            let src = try s.dir("volume")
            try write("\(src)/small.txt", "small\n")
            let store = SnapshotStore(root: root)
            let previous = try store.take("shop", [("data", src)])

            let deep = try s.dir("volume/" + String(repeating: "d", count: 60) + "/" + String(repeating: "e", count: 40))
            try python("for i in range(4000): open('\(deep)/file-%d' % i, 'w').close()")
            let e = try #require(snapError { try store.take("shop", [("data", src)]) })
            #expect(e.kind == .noSpace, "\(e)")
            #expect(store.incoming("shop").isEmpty, "left \(store.incoming("shop"))")
            #expect(store.snapshotIDs("shop") == [previous.id])
            #expect(try store.info(app: "shop") == previous)
        }

        @Test func restoreThatCannotFitIsRefusedBeforeWriting() throws {
            let s = try Scratch("nospace-restore")
            defer { s.remove() }
            let src = try s.dir("volume")
            try writeRandom("\(src)/big.bin", bytes: 8 << 20)
            let store = SnapshotStore(root: try s.dir("snapshots"))
            try store.take("shop", [("data", src)])

            let small = try s.tmpfs("small", size: "4m")
            let target = try s.dir("small/volume")
            try write("\(target)/current.txt", "current\n")
            let current = fingerprint(target)
            let e = try #require(snapError { try store.restore("shop", into: ["data": target]) })
            #expect(e.kind == .noSpace, "\(e)")
            expectSameTree(fingerprint(target), current, "a refused restore changed the volume")
            #expect(restoreSiblings(in: small).isEmpty, "left \(restoreSiblings(in: small))")
        }

        /// Two volumes restored beside each other: each fits alone, not both (all are
        /// extracted before any is swapped in). The check must count them together and
        /// refuse before extracting anything.
        @Test func volumesThatFitOnlyOneAtATimeAreRefusedBeforeWriting() throws {
            let s = try Scratch("nospace-two")
            defer { s.remove() }
            let a = try s.dir("a"), b = try s.dir("b")
            try writeRandom("\(a)/blob", bytes: 4_500_000)
            try writeRandom("\(b)/blob", bytes: 4_500_000)
            let store = SnapshotStore(root: try s.dir("snapshots"))
            try store.take("shop", [("a", a), ("b", b)])

            let small = try s.tmpfs("small", size: "8m")
            let targets = ["a": try s.dir("small/a"), "b": try s.dir("small/b")]
            try write("\(targets["a"]!)/current.txt", "current a\n")
            try write("\(targets["b"]!)/current.txt", "current b\n")
            let before = targets.mapValues { fingerprint($0) }
            let extracted = Box(0)
            let e = try #require(snapError {
                try store.restore(app: "shop", target: { v in targets[v.name]! }, inUse: { _ in [] },
                                  progress: { _, done, _ in extracted.value = done })
            })
            #expect(e.kind == .noSpace, "\(e)")
            #expect(extracted.value == 0, "\(extracted.value) bytes were extracted before the refusal")
            for (name, t) in targets { expectSameTree(fingerprint(t), before[name]!, "a refused restore changed \(name)") }
            #expect(restoreSiblings(in: small).isEmpty, "left \(restoreSiblings(in: small))")
        }

        /// Small files take a 4 KiB page each on tmpfs but about 2 KiB in the tar (header,
        /// pax header, data): the check passes and the disk fills while tar extracts. The
        /// doc of .noSpace promises it for "hit while writing" too.
        @Test func diskFillingDuringRestoreIsNoSpace() throws {
            let s = try Scratch("nospace-extract")
            defer { s.remove() }
            let src = try s.dir("volume")
            try python("for i in range(2000): open('\(src)/f%d' % i, 'w').write('x' * 100)")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            let m = try store.take("shop", [("data", src)])
            #expect(m.volumes[0].bytes < 9 << 19, "the tar must pass the free-space check of a 6 MiB tmpfs")

            let small = try s.tmpfs("small", size: "6m")
            let target = try s.dir("small/volume")
            try write("\(target)/current.txt", "current\n")
            let current = fingerprint(target)
            let e = try #require(snapError { try store.restore("shop", into: ["data": target]) })
            #expect(e.kind == .noSpace, "\(e)")
            expectSameTree(fingerprint(target), current, "a failed restore changed the volume")
            #expect(restoreSiblings(in: small).isEmpty, "left \(restoreSiblings(in: small))")
        }
    }
}
