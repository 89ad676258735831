import Testing
@testable import UnideskData

@Suite struct JSONEncodeTests {
    @Test func everyTypeEncodesCompactly() throws {
        let value = object(("n", .null), ("t", .bool(true)), ("f", .bool(false)), ("i", .int(-42)),
                           ("d", .double(2.5)), ("s", .string("hi")), ("a", .array([.int(1), .array([])])),
                           ("o", object()))
        #expect(try JSON.encode(value, options: .init(sortKeys: false))
            == #"{"n":null,"t":true,"f":false,"i":-42,"d":2.5,"s":"hi","a":[1,[]],"o":{}}"#)
    }

    @Test(arguments: [
        (DataValue.double(1.0), "1.0"),
        (.double(-0.0), "-0.0"),
        (.double(0.1), "0.1"),
        (.double(1e20), "1e+20"),
        (.double(.leastNonzeroMagnitude), "5e-324"),
        (.double(123.456), "123.456"),
        (.int(Int64.min), "-9223372036854775808"),
        (.int(Int64.max), "9223372036854775807"),
    ])
    func numbers(value: DataValue, text: String) throws {
        #expect(try JSON.encode(value) == text)
        #expect(identical(try JSON.decode(text), value))
    }

    @Test func sortKeysUsesByteOrderByDefault() throws {
        let value = object(("é", .int(1)), ("a", .int(2)), ("Z", .int(3)), ("B", .int(4)), ("aa", .int(5)))
        #expect(try JSON.encode(value) == #"{"B":4,"Z":3,"a":2,"aa":5,"é":1}"#)
        #expect(try JSON.encode(value, options: .init(sortKeys: false)) == #"{"é":1,"a":2,"Z":3,"B":4,"aa":5}"#)
    }

    @Test func sortingAppliesAtEveryLevel() throws {
        let value = DataValue.array([object(("b", object(("y", .null), ("x", .null))), ("a", .null))])
        #expect(try JSON.encode(value) == #"[{"a":null,"b":{"x":null,"y":null}}]"#)
    }

    @Test func prettyOutput() throws {
        let value = object(("name", .string("x")), ("ports", .array([.int(80), .int(443)])), ("meta", object()),
                           ("labels", object(("b", .bool(true)), ("a", .null))), ("empty", .array([])))
        let expected = """
            {
              "name": "x",
              "ports": [
                80,
                443
              ],
              "meta": {},
              "labels": {
                "b": true,
                "a": null
              },
              "empty": []
            }
            """
        #expect(try JSON.encode(value, options: .init(pretty: true, sortKeys: false)) == expected)
    }

    @Test func prettyOutputHonoursIndentAndSorting() throws {
        let value = object(("b", .array([.int(1)])), ("a", .int(2)))
        #expect(try JSON.encode(value, options: .init(pretty: true, indent: 4)) == "{\n    \"a\": 2,\n    \"b\": [\n        1\n    ]\n}")
    }

    @Test func stringEscaping() throws {
        let value = DataValue.string("q\"b\\s/\n\t\r\u{8}\u{C}\u{1}\u{1F}é\u{2028}\u{2029}😀\u{7F}")
        let text = try JSON.encode(value)
        #expect(text == #""q\"b\\s/\n\t\r\b\f\u0001\u001fé\u2028\u2029😀"# + "\u{7F}\"")
        #expect(try JSON.decode(text) == value)
    }

    @Test func nonFiniteDoublesAreRejected() {
        for bad in [Double.nan, .infinity, -.infinity] {
            let error = #expect(throws: DataCodecError.self) { try JSON.encode(.array([.int(1), .double(bad)])) }
            #expect(error?.message == "cannot encode NaN/Infinity as JSON")
        }
    }
}
