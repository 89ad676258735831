import Foundation
import Testing
@testable import UnideskSnapshot

/// Bad app names, missing directories, missing snapshots and volumes; drop.
extension SnapshotTests {
    @Suite struct InvalidInputTests {
        @Test(arguments: ["../x", "", ".hidden", "a/b", "..", "x y", "snap\u{e9}"])
        func invalidAppNameIsRefusedEverywhere(app: String) throws {
            let s = try Scratch("invalid")
            defer { s.remove() }
            let src = try s.dir("volume")
            let root = "\(s.path)/snapshots"
            let store = SnapshotStore(root: root)
            #expect(snapError { try store.take(app, [("data", src)]) }?.kind == .invalid)
            #expect(snapError { try store.info(app: app) }?.kind == .invalid)
            #expect(snapError { try store.restore(app, into: ["data": src]) }?.kind == .invalid)
            #expect(snapError { try store.drop(app: app) }?.kind == .invalid)
            #expect(!exists(root), "a refused take created \(root)")
            #expect(!exists("\(s.path)/x"))
        }

        @Test func takeNeedsExistingDistinctVolumes() throws {
            let s = try Scratch("sources")
            defer { s.remove() }
            let src = try s.dir("volume")
            let store = SnapshotStore(root: "\(s.path)/snapshots")
            let missing = try #require(snapError { try store.take("shop", [("data", "\(s.path)/no-such-dir")]) })
            #expect(missing.kind == .notFound)
            #expect(missing.message.contains("\(s.path)/no-such-dir"), "\(missing)")
            try write("\(s.path)/a-file", "not a directory\n")
            #expect(snapError { try store.take("shop", [("data", "\(s.path)/a-file")]) }?.kind == .notFound)
            #expect(snapError { try store.take("shop", []) }?.kind == .invalid)
            #expect(snapError { try store.take("shop", [("data", src), ("data", src)]) }?.kind == .invalid)
            #expect(store.list().isEmpty)
        }

        @Test func restoreWithoutSnapshotOrVolumeIsNotFound() throws {
            let s = try Scratch("notfound")
            defer { s.remove() }
            let src = try s.dir("volume")
            try write("\(src)/f", "f\n")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            #expect(snapError { try store.restore("shop", into: ["data": src]) }?.kind == .notFound)

            try store.take("shop", [("data", src), ("logs", try s.dir("logs"))])
            let e = try #require(snapError { try store.restore("shop", into: ["data": src], volumes: ["nope"]) })
            #expect(e.kind == .notFound)
            #expect(e.message.contains("nope") && e.message.contains("data") && e.message.contains("logs"), "\(e)")

            let gone = try #require(snapError { try store.restore("shop", into: ["data": "\(s.path)/gone"]) })
            #expect(gone.kind == .notFound, "a target that is not a directory: \(gone)")
            #expect(try String(contentsOfFile: "\(src)/f", encoding: .utf8) == "f\n")
        }

        @Test func dropRemovesEverySnapshot() throws {
            let s = try Scratch("drop")
            defer { s.remove() }
            let src = try s.dir("volume")
            try write("\(src)/f", "f\n")
            let root = try s.dir("snapshots")
            let store = SnapshotStore(root: root)
            try store.take("shop", [("data", src)], keep: 3)
            try store.take("shop", [("data", src)], keep: 3)
            try store.take("other", [("data", src)])

            #expect(try store.drop(app: "shop") == true)
            #expect(try store.info(app: "shop") == nil)
            #expect(store.list().map(\.app) == ["other"])
            #expect(!exists("\(root)/shop/snapshots") && !exists("\(root)/shop/last-good"))
            #expect(snapError { try store.restore("shop", into: ["data": src]) }?.kind == .notFound)
            #expect(try store.drop(app: "shop") == false, "nothing left to drop")
            #expect(try store.drop(app: "never-taken") == false)
            #expect(try store.info(app: "other") != nil, "another app's snapshots stay")
            try store.take("shop", [("data", src)])
            #expect(try store.info(app: "shop") != nil, "a take after a drop works")
        }
    }
}
