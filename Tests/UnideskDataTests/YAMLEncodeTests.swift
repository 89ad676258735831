import Testing
@testable import UnideskData

@Suite struct YAMLEncodeTests {
    @Test func blockLayoutKeepsKeyOrder() throws {
        let value = object(("zeta", .int(1)), ("alpha", object(("list", .array([.string("a"), .double(1.5), .null])),
                                                             ("flag", .bool(false)))),
                           ("empty", .array([])), ("none", object()))
        let expected = """
            zeta: 1
            alpha:
              list:
              - a
              - 1.5
              - null
              flag: false
            empty: []
            none: {}

            """
        #expect(try YAML.encode(value) == expected)
    }

    @Test(arguments: [
        ("true", "'true'"), ("False", "'False'"), ("yes", "'yes'"), ("off", "'off'"), ("y", "'y'"), ("N", "'N'"),
        ("null", "'null'"), ("~", "'~'"), ("", "''"), ("123", "'123'"), ("-1", "'-1'"), ("0644", "'0644'"),
        ("0x1F", "'0x1F'"), ("1.5", "'1.5'"), ("1e3", "'1e3'"), (".inf", "'.inf'"), (".nan", "'.nan'"),
        ("1_000", "'1_000'"), ("2024-01-01", "'2024-01-01'"), ("<<", "'<<'"), ("=", "'='"),
        (" lead", "' lead'"), ("trail ", "'trail '"), ("a: b", "'a: b'"), ("- a", "'- a'"), ("#c", "'#c'"),
        ("a #c", "'a #c'"), ("&x", "'&x'"), ("*x", "'*x'"), ("!x", "'!x'"), ("%x", "'%x'"), ("@x", "'@x'"),
        ("[a]", "'[a]'"), ("{a}", "'{a}'"), ("---", "'---'"), ("it's", "it's"), ("'q'", "'''q'''"),
        ("tab\there", "\"tab\\there\""), ("cr\rhere", "\"cr\\rhere\""), ("nel\u{85}", "\"nel\\N\""),
    ])
    func ambiguousStringsAreQuoted(text: String, expected: String) throws {
        let encoded = try YAML.encode(.string(text))
        #expect(encoded == expected + "\n")
        #expect(try YAML.decode(encoded) == .string(text))
    }

    @Test(arguments: ["plain", "nginx:1.25", "a:b", "http://x/y?z=1", "100m", "é 日本", "yesterday", "trueish", "v1.2"])
    func ordinaryStringsStayPlain(text: String) throws {
        #expect(try YAML.encode(.string(text)) == text + "\n")
    }

    @Test func ambiguousKeysAreQuotedToo() throws {
        let value = object(("true", .int(1)), ("1", .int(2)), ("", .int(3)), ("key", .string("on")))
        let encoded = try YAML.encode(value)
        #expect(encoded == "'true': 1\n'1': 2\n'': 3\nkey: 'on'\n")
        #expect(try YAML.decode(encoded) == value)
    }

    @Test func multiLineStringsUseLiteralBlocks() throws {
        let value = object(("script", .string("set -e\necho hi\n")), ("noNewline", .string("a\nb")))
        let encoded = try YAML.encode(value)
        #expect(encoded == "script: |\n  set -e\n  echo hi\nnoNewline: |-\n  a\n  b\n")
        #expect(try YAML.decode(encoded) == value)
    }

    @Test(arguments: [
        (DataValue.int(-42), "-42"), (.int(Int64.min), "-9223372036854775808"), (.double(1.0), "1.0"),
        (.double(-0.0), "-0.0"), (.double(1e20), "1e+20"), (.double(.infinity), ".inf"), (.double(-.infinity), "-.inf"),
        (.bool(true), "true"), (.null, "null"),
    ])
    func scalarsEncodePlain(value: DataValue, text: String) throws {
        #expect(try YAML.encode(value) == text + "\n")
        #expect(identical(try YAML.decode(text), value))
    }

    @Test func nanEncodesAsDotNan() throws {
        #expect(try YAML.encode(.double(.nan)) == ".nan\n")
    }
}
