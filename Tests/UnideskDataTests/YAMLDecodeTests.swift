import Testing
@testable import UnideskData

@Suite struct YAMLDecodeTests {
    @Test(arguments: [
        ("~", DataValue.null), ("null", .null), ("Null", .null), ("NULL", .null), ("", .null),
        ("true", .bool(true)), ("True", .bool(true)), ("TRUE", .bool(true)),
        ("false", .bool(false)), ("False", .bool(false)), ("FALSE", .bool(false)),
        ("yes", .string("yes")), ("No", .string("No")), ("on", .string("on")), ("off", .string("off")),
        ("y", .string("y")), ("tRue", .string("tRue")),
        ("123", .int(123)), ("-17", .int(-17)), ("+5", .int(5)), ("0", .int(0)),
        ("0x1F", .int(31)), ("0o17", .int(15)), ("0644", .int(420)), ("09", .int(9)),
        ("9223372036854775807", .int(Int64.max)), ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .double(9223372036854775808.0)),
        ("1.5", .double(1.5)), ("-0.25", .double(-0.25)), ("1e3", .double(1000)), ("1.", .double(1)),
        (".5", .double(0.5)), ("6.02E+23", .double(6.02e23)),
        (".inf", .double(.infinity)), ("-.Inf", .double(-.infinity)), ("+.INF", .double(.infinity)),
        ("1_000", .string("1_000")), ("2024-01-01", .string("2024-01-01")), ("1.2.3", .string("1.2.3")),
        ("12:30", .string("12:30")), ("0x", .string("0x")), ("0xFFFFFFFFFFFFFFFFF", .string("0xFFFFFFFFFFFFFFFFF")),
        ("nginx:1.25", .string("nginx:1.25")), ("<<", .string("<<")),
        ("'123'", .string("123")), ("\"true\"", .string("true")), ("''", .string("")), ("'~'", .string("~")),
        ("!!str 123", .string("123")), ("!!int \"42\"", .int(42)), ("!!float 1", .double(1)),
        ("!!bool 'true'", .bool(true)), ("!!null ''", .null), ("!Ref MyBucket", .string("MyBucket")),
        ("! 12", .string("12")),
    ])
    func scalarResolution(text: String, expected: DataValue) throws {
        let decoded = try YAML.decode("value: " + text + "\n")
        #expect(decoded == object(("value", expected)), "\(text) decoded as \(decoded)")
    }

    @Test func nanDecodes() throws {
        #expect(try YAML.decode(".nan").doubleValue?.isNaN == true)
        #expect(try YAML.decode(".NaN").doubleValue?.isNaN == true)
    }

    @Test func mismatchedExplicitTagIsAnError() {
        let error = #expect(throws: DataCodecError.self) { try YAML.decode("a: 1\nb: !!int abc\n") }
        #expect(error?.line == 2)
        #expect(error?.message == "invalid YAML at line 2, column 4: 'abc' is not a valid !!int value")
    }

    @Test func mappingsKeepOrderAndKeysBecomeStrings() throws {
        let decoded = try YAML.decode("zeta: 1\nalpha: 2\n1: one\ntrue: yes\n~: tilde\n0x10: hex\n[a, b]: seq\n")
        #expect(decoded.objectValue?.map(\.0) == ["zeta", "alpha", "1", "true", "~", "0x10", #"["a","b"]"#])
        #expect(decoded["1"] == .string("one"))
        #expect(decoded["true"] == .string("yes"))
    }

    @Test func blockAndFlowCollections() throws {
        let text = """
            list:
              - a
              - {x: 1, y: [true, null]}
            folded: >
              one
              two
            literal: |-
              keep
                indented
            """
        let expected = object(
            ("list", .array([.string("a"), object(("x", .int(1)), ("y", .array([.bool(true), .null])))])),
            ("folded", .string("one two\n")),
            ("literal", .string("keep\n  indented")))
        #expect(try YAML.decode(text) == expected)
    }

    @Test func anchorsAndAliasesResolve() throws {
        let text = "base: &b {cpu: 100m}\ncopy: *b\nlist: [&s str, *s]\n"
        let decoded = try YAML.decode(text)
        #expect(decoded["copy"] == object(("cpu", .string("100m"))))
        #expect(decoded["list"] == .array([.string("str"), .string("str")]))
    }

    @Test func mergeKeysFollowTheYAMLMergeRules() throws {
        let text = """
            defaults: &defaults
              image: nginx
              port: 80
            extra: &extra
              port: 81
              debug: true
            web:
              <<: *defaults
              port: 8080
            both:
              name: both
              <<: [*extra, *defaults]
            quoted:
              '<<': not a merge
            """
        let decoded = try YAML.decode(text)
        #expect(decoded["web"] == object(("image", .string("nginx")), ("port", .int(8080))))
        #expect(decoded["both"] == object(("port", .int(81)), ("debug", .bool(true)), ("image", .string("nginx")),
                                          ("name", .string("both"))))
        #expect(decoded["quoted"] == object(("<<", .string("not a merge"))))
    }

    @Test func mergeOfAScalarIsAnError() {
        let error = #expect(throws: DataCodecError.self) { try YAML.decode("a:\n  <<: 5\n") }
        #expect(error?.message.contains("merge key '<<'") == true)
        #expect(error?.line == 2)
    }

    @Test func aliasBombIsRefused() {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(refs)]")
        }
        let error = #expect(throws: DataCodecError.self) { try YAML.decode(lines.joined(separator: "\n")) }
        #expect(error?.message.contains("too many values through aliases") == true)
    }

    @Test func duplicateKeysAreAnError() {
        let error = #expect(throws: DataCodecError.self) { try YAML.decode("a: 1\nb: 2\na: 3\n") }
        #expect(error?.message.contains("duplicate key 'a'") == true)
        #expect(error?.line == 1)
    }

    @Test func syntaxErrorCarriesLineAndColumn() {
        let error = #expect(throws: DataCodecError.self) { try YAML.decode("apiVersion: v1\nkind: Pod\n  name: x\n") }
        #expect(error?.line == 3)
        #expect(error?.column == 7)
        #expect(error?.message.hasPrefix("invalid YAML at line 3, column 7: mapping values are not allowed") == true)
    }

    @Test func unclosedFlowSequenceReportsWhereItStarted() {
        let error = #expect(throws: DataCodecError.self) { try YAML.decode("a: 1\nb: [1, 2\nc: 3\n") }
        #expect(error?.line != nil)
        #expect(error?.message.contains("line 2") == true)
    }

    @Test func tabIndentationIsAnError() {
        let error = #expect(throws: DataCodecError.self) { try YAML.decode("a:\n\tb: 1\n") }
        #expect(error?.line == 2)
    }
}

@Suite struct YAMLByteOrderMarkTests {
    @Test func leadingByteOrderMarkInScalarsSurvives() throws {
        let text = "a: \"\\uFEFFx\"\nb: \"\\ufeff\\uFEFFy\"\n\"\\U0000FEFFkey\": '\u{FEFF}z'\nc: !!str \"\\uFEFF\"\nd: \"mid\\uFEFF\"\n"
        let expected = object(("a", .string("\u{FEFF}x")), ("b", .string("\u{FEFF}\u{FEFF}y")),
                              ("\u{FEFF}key", .string("\u{FEFF}z")), ("c", .string("\u{FEFF}")),
                              ("d", .string("mid\u{FEFF}")))
        #expect(try YAML.decode(text) == expected)
    }

    @Test func streamByteOrderMarkIsNotPartOfTheValue() throws {
        #expect(try YAML.decode("\u{FEFF}a: \"\\uFEFFb\"\n") == object(("a", .string("\u{FEFF}b"))))
        #expect(try YAML.decode("\u{FEFF}key: v\n") == object(("key", .string("v"))))
    }
}
