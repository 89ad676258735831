import Testing
@testable import UnideskData

@Suite struct DataValueTests {
    @Test func objectsCompareAsOrderedLists() {
        let ab = object(("a", .int(1)), ("b", .int(2)))
        let ba = object(("b", .int(2)), ("a", .int(1)))
        #expect(ab == object(("a", .int(1)), ("b", .int(2))))
        #expect(ab != ba)
        #expect(ab != object(("a", .int(1))))
        #expect(ab != object(("a", .int(1)), ("b", .int(3))))
    }

    @Test func intAndDoubleAreDistinct() {
        #expect(DataValue.int(1) != .double(1.0))
        #expect(DataValue.double(1.0) == .double(1.0))
        #expect(DataValue.double(.nan) != .double(.nan))
        #expect(DataValue.array([.int(1)]) != .array([.int(1), .int(1)]))
        #expect(DataValue.null != .string(""))
    }

    @Test func accessors() {
        let value = object(("name", .string("web")), ("replicas", .int(3)), ("ratio", .double(0.5)),
                           ("on", .bool(true)), ("tags", .array([.string("a")])), ("none", .null))
        #expect(value["name"]?.stringValue == "web")
        #expect(value["replicas"]?.intValue == 3)
        #expect(value["replicas"]?.doubleValue == 3.0)
        #expect(value["ratio"]?.doubleValue == 0.5)
        #expect(value["ratio"]?.intValue == nil)
        #expect(value["on"]?.boolValue == true)
        #expect(value["tags"]?.arrayValue == [.string("a")])
        #expect(value["tags"]?[0] == .string("a"))
        #expect(value["tags"]?[1] == nil)
        #expect(value["none"]?.isNull == true)
        #expect(value["missing"] == nil)
        #expect(value.objectValue?.map(\.0) == ["name", "replicas", "ratio", "on", "tags", "none"])
        #expect(DataValue.string("x")["name"] == nil)
        #expect(DataValue.string("x").intValue == nil)
        #expect(DataValue.int(1).stringValue == nil)
        #expect(DataValue.null.objectValue == nil)
    }
}
