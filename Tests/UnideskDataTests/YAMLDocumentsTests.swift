import Testing
@testable import UnideskData

@Suite struct YAMLDocumentsTests {
    private let threeDocuments = "a: 1\n---\nb: 2\n---\n- c\n"

    @Test func decodeAllReturnsEveryDocument() throws {
        #expect(try YAML.decodeAll(threeDocuments)
            == [object(("a", .int(1))), object(("b", .int(2))), .array([.string("c")])])
    }

    @Test func decodeRefusesSeveralDocumentsAndPointsAtTheSecond() {
        let error = #expect(throws: DataCodecError.self) { try YAML.decode(threeDocuments) }
        #expect(error?.message == "expected a single YAML document but found several (second document at line 3, column 1)")
        #expect(error?.line == 3)
    }

    @Test func theSeveralDocumentsHintIsTheCallers() {
        let error = #expect(throws: DataCodecError.self) { try YAML.decode(threeDocuments, severalHint: "use yaml.decode_all") }
        #expect(error?.message.hasSuffix("found several (second document at line 3, column 1); use yaml.decode_all") == true)
    }

    @Test func emptyStreamsAndEmptyDocuments() throws {
        #expect(try YAML.decode("") == .null)
        #expect(try YAML.decodeAll("") == [])
        #expect(try YAML.decode("# only a comment\n") == .null)
        #expect(try YAML.decodeAll("---\n---\n# nothing\n---\n") == [])
        #expect(try YAML.decode("---\n---\nkey: v\n---\n") == object(("key", .string("v"))))
        #expect(try YAML.decodeAll("---\na: 1\n...\n---\n\n---\nb: 2\n") == [object(("a", .int(1))), object(("b", .int(2)))])
    }

    @Test func explicitNullDocumentIsNotEmpty() throws {
        #expect(try YAML.decodeAll("---\nnull\n---\n~\n---\n") == [.null, .null])
        #expect(throws: DataCodecError.self) { try YAML.decode("null\n---\nnull\n") }
    }

    @Test func errorInALaterDocumentIsReported() {
        let error = #expect(throws: DataCodecError.self) { try YAML.decodeAll("a: 1\n---\nb: [\n") }
        #expect(error?.line == 4)
    }

    @Test func encodeAllSeparatesDocuments() throws {
        let text = try YAML.encodeAll([object(("a", .int(1))), object(("b", .int(2))), .array([.string("c")])])
        #expect(text == "a: 1\n---\nb: 2\n---\n- c\n")
        #expect(try YAML.decodeAll(text) == [object(("a", .int(1))), object(("b", .int(2))), .array([.string("c")])])
        #expect(try YAML.encodeAll([]) == "")
    }
}
