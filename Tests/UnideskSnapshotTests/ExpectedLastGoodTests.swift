import Foundation
import Testing
@testable import UnideskSnapshot

/// restore(expecting:) restores only the last-good its caller checked against the policy:
/// one another run made since may hold other volumes, which nobody checked.
extension SnapshotTests {
    @Suite struct ExpectedLastGoodTests {
        @Test func aDifferentLastGoodIsNotRestored() throws {
            let s = try Scratch("expecting")
            defer { s.remove() }
            let data = try s.dir("data")
            try write("\(data)/f", "first\n")
            let store = SnapshotStore(root: try s.dir("snapshots"))
            let checked = try store.take("app", [("data", data)])
            try write("\(data)/f", "second\n")
            try store.take("app", [("data", data)], keep: 2)
            try write("\(data)/f", "now\n")

            let e = snapError { try store.restore(app: "app", expecting: checked.id, target: { _ in data }, inUse: { _ in [] }) }
            #expect(e?.kind == .busy && e?.message.contains(checked.id) == true, "\(String(describing: e))")
            #expect(try String(contentsOfFile: "\(data)/f", encoding: .utf8) == "now\n", "nothing was restored")
            #expect(snapError { try store.restore(app: "app", expecting: "", target: { _ in data }, inUse: { _ in [] }) }?.kind == .busy,
                    "none was checked (\"\"): the one there now is not restored either")

            let current = try #require(try store.info(app: "app"))
            try store.restore(app: "app", expecting: current.id, target: { _ in data }, inUse: { _ in [] })
            #expect(try String(contentsOfFile: "\(data)/f", encoding: .utf8) == "second\n")
        }
    }
}
