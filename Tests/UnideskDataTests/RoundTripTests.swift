import Testing
@testable import UnideskData

@Suite struct RoundTripTests {
    @Test func generatorProducesVariedValues() {
        var factory = RandomValueFactory(generator: SeededGenerator(seed: 1), allowInfinity: false)
        let values = (0..<300).map { _ in factory.value() }
        #expect(values.contains { if case .object(let pairs) = $0 { return pairs.count > 1 } else { return false } })
        #expect(values.contains { if case .array(let items) = $0 { return items.count > 1 } else { return false } })
        #expect(values.contains { if case .double = $0 { return true } else { return false } })
        #expect(Set(values.map { JSONTestText.kind(of: $0) }).count == 7)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func jsonRoundTrip(seed: UInt64) throws {
        var factory = RandomValueFactory(generator: SeededGenerator(seed: seed), allowInfinity: false)
        for _ in 0..<300 {
            let value = factory.value()
            let compact = try JSON.encode(value, options: .init(sortKeys: false))
            let decoded = try JSON.decode(compact)
            #expect(identical(decoded, value), "\(compact)")
            let pretty = try JSON.encode(value, options: .init(pretty: true, sortKeys: false))
            #expect(identical(try JSON.decode(bytes: Array(pretty.utf8)), value), "\(pretty)")
            // Sorted output is a fixed point: sorting again changes nothing.
            let sorted = try JSON.encode(value)
            #expect(try JSON.encode(JSON.decode(sorted), options: .init(sortKeys: false)) == sorted)
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func yamlRoundTrip(seed: UInt64) throws {
        var factory = RandomValueFactory(generator: SeededGenerator(seed: seed), allowInfinity: true)
        for _ in 0..<300 {
            let value = factory.value()
            let text = try YAML.encode(value)
            let decoded = try YAML.decode(text)
            #expect(identical(decoded, value), "\(text)")
        }
    }

    @Test func yamlMultiDocumentRoundTrip() throws {
        var factory = RandomValueFactory(generator: SeededGenerator(seed: 99), allowInfinity: true)
        let documents = (0..<50).map { _ in factory.value() }
        let decoded = try YAML.decodeAll(YAML.encodeAll(documents))
        #expect(decoded.count == documents.count)
        #expect(zip(decoded, documents).allSatisfy { identical($0, $1) })
    }
}

enum JSONTestText {
    static func kind(of value: DataValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "bool"
        case .int: "int"
        case .double: "double"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
