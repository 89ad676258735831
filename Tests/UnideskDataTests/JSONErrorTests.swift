import Testing
@testable import UnideskData

@Suite struct JSONErrorTests {
    private func failure(_ text: String) -> DataCodecError? {
        #expect(throws: DataCodecError.self) { try JSON.decode(text) }
    }

    @Test func missingColonReportsLineAndColumn() throws {
        let error = try #require(failure("{\n  \"a\": 1,\n  \"b\" 2\n}"))
        #expect(error.line == 3)
        #expect(error.column == 7)
        #expect(error.message == "invalid JSON at line 3, column 7: expected ':'")
    }

    @Test func trailingCommaInArray() throws {
        let error = try #require(failure("[1, 2,\n]"))
        #expect((error.line, error.column) == (2, 1))
        #expect(error.message == "invalid JSON at line 2, column 1: expected a value")
    }

    @Test func wrongCloserInsideObject() throws {
        let error = try #require(failure(#"{"a": [1, 2}"#))
        #expect((error.line, error.column) == (1, 12))
        #expect(error.message == "invalid JSON at line 1, column 12: expected ',' or ']'")
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let error = try #require(failure("[\"é日\", x]"))
        #expect((error.line, error.column) == (1, 8))
    }

    @Test func trailingGarbageIsRejected() throws {
        let error = try #require(failure(#"{"a": 1} x"#))
        #expect((error.line, error.column) == (1, 10))
        #expect(error.message.hasSuffix("unexpected trailing characters after the JSON value"))
        #expect(failure("1 2") != nil)
        #expect(failure("[]]") != nil)
    }

    @Test func endOfInputSaysWhatWasExpected() throws {
        #expect(failure("")?.message == "invalid JSON at line 1, column 1: unexpected end of input, expected a value")
        #expect(failure("{\"a\": 1")?.message
            == "invalid JSON at line 1, column 8: unexpected end of input, expected ',' or '}'")
        #expect(failure("\"abc")?.message == "invalid JSON at line 1, column 1: unterminated string")
    }

    @Test(arguments: [
        ("{\"a\" 1}", "expected ':'"),
        ("{a: 1}", "expected a string key"),
        ("{\"a\": 1,}", "expected a string key"),
        ("[01]", "leading zeros are not allowed in numbers"),
        ("[1.]", "expected a digit after '.'"),
        ("[1e]", "expected a digit in the exponent"),
        ("[-]", "expected a digit"),
        ("[+1]", "expected a value"),
        ("[.5]", "expected a value"),
        ("[tru]", "expected 'true'"),
        ("[nul]", "expected 'null'"),
        ("[NaN]", "expected a value"),
        ("[1e999]", "number 1e999 is out of range"),
        ("\"a\tb\"", "unescaped control character in string"),
        ("\"a\nb\"", "unescaped control character in string"),
        (#""\x""#, "invalid escape sequence"),
        (#""\u12""#, "expected 4 hex digits after \\u"),
        (#""\uD800""#, "unpaired high surrogate in \\u escape"),
        (#""\uD800\u0041""#, "unpaired high surrogate in \\u escape"),
        (#""\uDC00""#, "unpaired low surrogate in \\u escape"),
        ("['a']", "expected a value"),
    ])
    func invalidInputs(text: String, problem: String) throws {
        let error = try #require(failure(text))
        #expect(error.message.hasSuffix(": " + problem), "\(text): \(error.message)")
        #expect(error.line == 1)
    }

    @Test func loneSurrogatePointsAtTheEscape() throws {
        let error = try #require(failure(#"["ok", "x\uDC00"]"#))
        #expect((error.line, error.column) == (1, 10))
    }

    @Test func invalidUTF8BytesAreRejected() {
        let error = #expect(throws: DataCodecError.self) { try JSON.decode(bytes: [0x22, 0x61, 0xFF, 0x22]) }
        #expect(error?.message == "invalid JSON at line 1, column 1: invalid UTF-8 in string")
        #expect(throws: DataCodecError.self) { try JSON.decode(bytes: [0x5B, 0xC3, 0x5D]) }
    }

    @Test func validUTF8BytesDecode() throws {
        #expect(try JSON.decode(bytes: Array("[\"日本\"]".utf8)) == .array([.string("日本")]))
    }

    @Test func descriptionIsTheMessage() throws {
        let error = try #require(failure("[,]"))
        #expect(error.description == error.message)
        #expect(error.description.contains("line 1, column 2"))
    }
}
