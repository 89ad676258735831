import Testing
@testable import UnideskData

@Suite struct JSONDecodeTests {
    @Test func everyTypeDecodes() throws {
        let text = #"{"n": null, "t": true, "f": false, "i": -42, "d": 2.5, "s": "hi", "a": [1, "x", []], "o": {"k": {}}}"#
        let expected = object(
            ("n", .null), ("t", .bool(true)), ("f", .bool(false)), ("i", .int(-42)), ("d", .double(2.5)),
            ("s", .string("hi")), ("a", .array([.int(1), .string("x"), .array([])])), ("o", object(("k", object()))))
        #expect(try JSON.decode(text) == expected)
    }

    @Test func scalarsAtTopLevelAndWhitespace() throws {
        #expect(try JSON.decode(" \t\r\n 1 \n") == .int(1))
        #expect(try JSON.decode("\"s\"") == .string("s"))
        #expect(try JSON.decode("null") == .null)
        #expect(try JSON.decode("\u{FEFF}[true]") == .array([.bool(true)]))
        #expect(try JSON.decode(bytes: [0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == object())
    }

    @Test(arguments: [
        ("9223372036854775807", DataValue.int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .double(9223372036854775808.0)),
        ("-9223372036854775809", .double(-9223372036854775809.0)),
        ("1.0", .double(1.0)),
        ("1e3", .double(1000.0)),
        ("1E+3", .double(1000.0)),
        ("2e-2", .double(0.02)),
        ("0", .int(0)),
        ("-0", .int(0)),
        ("0.1", .double(0.1)),
        ("123456789", .int(123_456_789)),
    ])
    func intDoubleBoundary(text: String, expected: DataValue) throws {
        let decoded = try JSON.decode(text)
        #expect(identical(decoded, expected), "\(text) decoded as \(decoded)")
    }

    @Test func negativeZeroDoubleKeepsSign() throws {
        let decoded = try JSON.decode("-0.0")
        #expect(decoded.doubleValue?.sign == .minus)
    }

    @Test func stringEscapes() throws {
        #expect(try JSON.decode(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
        #expect(try JSON.decode(#""\u00e9\u0041\u0000""#) == .string("éA\u{0}"))
        #expect(try JSON.decode(#""\uD83D\uDE00 \ud83d\ude00""#) == .string("😀 😀"))
        #expect(try JSON.decode(#""\u2028""#) == .string("\u{2028}"))
        #expect(try JSON.decode("\"日本 😀\"") == .string("日本 😀"))
    }

    @Test func objectsKeepTextOrderAndLastDuplicateWins() throws {
        let decoded = try JSON.decode(#"{"z": 1, "a": 2, "m": 3, "a": 4}"#)
        #expect(decoded == object(("z", .int(1)), ("a", .int(4)), ("m", .int(3))))
    }

    @Test func duplicateKeysInLargeObjectsUseTheSameRule() throws {
        let members = (0..<40).map { "\"k\($0)\": \($0)" } + ["\"k3\": \"again\""]
        let decoded = try JSON.decode("{" + members.joined(separator: ",") + "}")
        let pairs = try #require(decoded.objectValue)
        #expect(pairs.count == 40)
        #expect(pairs[3].0 == "k3")
        #expect(pairs[3].1 == .string("again"))
        #expect(pairs[39].0 == "k39")
    }

    @Test func depthLimitIs512() throws {
        let atLimit = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try JSON.decode(atLimit).arrayValue?.count == 1)
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        let error = #expect(throws: DataCodecError.self) { try JSON.decode(tooDeep) }
        #expect(error?.message == "invalid JSON at line 1, column 513: nesting deeper than 512 levels")
        // Far past the limit must still be a clean error, not a stack overflow.
        let hostile = String(repeating: "{\"a\":[", count: 100_000)
        #expect(throws: DataCodecError.self) { try JSON.decode(hostile) }
    }

    @Test func largeDocumentDecodes() throws {
        let items = (0..<5000).map { #"{"name": "pod-\#($0)", "index": \#($0), "ready": true, "cpu": 0.25}"# }
        let decoded = try JSON.decode("{\"items\": [" + items.joined(separator: ",") + "]}")
        let array = try #require(decoded["items"]?.arrayValue)
        #expect(array.count == 5000)
        #expect(array[4999]["name"] == .string("pod-4999"))
        #expect(array[4999]["index"] == .int(4999))
    }
}
