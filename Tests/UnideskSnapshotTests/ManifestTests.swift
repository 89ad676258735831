import Foundation
import Testing
import UnideskData
@testable import UnideskSnapshot

/// What info(app:) and list() tell about a snapshot, checked against the files on disk.
extension SnapshotTests {
    @Suite struct ManifestTests {
        @Test func manifestDescribesTheTarOnDisk() throws {
            let s = try Scratch("manifest")
            defer { s.remove() }
            let src = try s.dir("volume")
            try FileManager.default.createDirectory(atPath: "\(src)/dir/sub", withIntermediateDirectories: true)
            try write("\(src)/one.txt", "one\n")
            try write("\(src)/dir/two.txt", "two\n")
            try writeRandom("\(src)/dir/sub/three.bin", bytes: 300_000)
            guard link("\(src)/one.txt", "\(src)/dir/one-again.txt") == 0 else { throw Failed("link failed") }
            try FileManager.default.createSymbolicLink(atPath: "\(src)/to-two", withDestinationPath: "dir/two.txt")
            // ./ dir dir/sub one.txt two.txt three.bin one-again.txt to-two
            let everything = try sh("cd '\(src)' && find . | wc -l").trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(everything == "8")

            let meta: DataValue = .object([
                ("compose", .string("services:\n  web: {}\n")), ("version", .int(3)), ("ratio", .double(0.5)),
                ("tags", .array([.string("nightly"), .bool(true), .null])), ("nested", .object([("k", .string("v"))])),
            ])
            let store = SnapshotStore(root: try s.dir("snapshots"))
            let taken = try store.take("shop", [("data", src)], meta: meta)

            let info = try #require(try store.info(app: "shop"))
            #expect(info == taken)
            #expect(info.app == "shop")
            #expect(info.meta == meta)
            #expect(info.warnings.isEmpty)
            #expect(info.createdAt.hasSuffix("Z") && info.createdAt.count == 20, "created_at: \(info.createdAt)")
            let v = try #require(info.volumes.first)
            #expect(info.volumes.count == 1)
            #expect(v.name == "data" && v.kind == "path" && v.source == src)
            let tar = try #require(store.lastGoodDirectory("shop")).appending("/\(v.tar)")
            #expect(v.sha256 == (try sha256sum(tar)))
            #expect(v.bytes == fileSize(tar))
            #expect(v.entries == 8)
            #expect(v.files == 3, "regular files only: the hardlink and the symlink are not files")

            #expect(store.list().map(\.app) == ["shop"])
            #expect(store.list().first == info)
        }

        /// tar writes the snapshot in 1 MiB records (for speed); the zeros padding the last
        /// one are cut off again, so a small volume's snapshot stays small and the file is
        /// byte for byte what GNU tar writes with the same options and its default records.
        @Test func archiveIsWhatTarWritesWithItsDefaultRecords() throws {
            let s = try Scratch("records")
            defer { s.remove() }
            let src = try s.dir("volume")
            try write("\(src)/a.txt", "a\n")
            try writeRandom("\(src)/b.bin", bytes: 30_000)
            let options = "--format=gnu --numeric-owner --sparse --xattrs --one-file-system"
            // --xattrs records atimes; under relatime the first read sets them, later reads
            // leave them, so read everything once before the two archives are written.
            _ = try sh("tar --create --file=- \(options) --directory '\(src)' . | cat >/dev/null")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            let m = try store.take("shop", [("data", src)])
            let tar = try #require(store.lastGoodDirectory("shop")).appending("/\(m.volumes[0].tar)")
            let reference = try s.dir("reference").appending("/data.tar")
            _ = try sh("tar --create --file=- \(options) --directory '\(src)' . >'\(reference)'")

            #expect(fileSize(tar) == m.volumes[0].bytes)
            #expect(fileSize(tar) % 10240 == 0 && fileSize(tar) < 64 << 10, "a 30 KB volume's snapshot is \(fileSize(tar)) bytes")
            #expect(try sh("cmp '\(tar)' '\(reference)' && echo same") == "same\n")
            #expect(m.volumes[0].sha256 == (try sha256sum(reference)))
        }

        /// A host-path volume is named by its path: the tar's file name stays one safe
        /// component, and the volume restores by that name.
        @Test func volumeNamedByItsHostPath() throws {
            let s = try Scratch("pathname")
            defer { s.remove() }
            let src = try s.dir("srv/data")
            try write("\(src)/f", "taken\n")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            let m = try store.take("shop", [(src, src), ("..", try s.dir("dots"))])
            #expect(m.volumes.map(\.name) == [src, ".."])
            for v in m.volumes {
                #expect(!v.tar.contains("/") && !v.tar.hasPrefix(".") && v.tar.hasSuffix(".tar"), "tar file name \(v.tar)")
            }
            #expect(Set(m.volumes.map(\.tar)).count == 2)
            try write("\(src)/f", "changed\n")
            try store.restore("shop", into: [src: src], volumes: [src])
            #expect(try String(contentsOfFile: "\(src)/f", encoding: .utf8) == "taken\n")
        }

        @Test func listHasEveryAppWithASnapshot() throws {
            let s = try Scratch("list")
            defer { s.remove() }
            let src = try s.dir("volume")
            try write("\(src)/f", "f\n")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            #expect(store.list().isEmpty)
            try store.take("web", [("data", src)], meta: .object([("n", .int(1))]))
            try store.take("api", [("data", src)], meta: .object([("n", .int(2))]))
            #expect(store.list().map(\.app) == ["api", "web"])
            #expect(store.list().map(\.meta) == [.object([("n", .int(2))]), .object([("n", .int(1))])])
            #expect(try store.info(app: "nothing-here") == nil)
        }
    }
}
