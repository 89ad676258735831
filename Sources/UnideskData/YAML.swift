import Yams

/// YAML codec for `DataValue`: core-schema scalars, ordered mappings, block-style output.
public enum YAML {
    /// Parses a single-document stream; an empty stream gives `.null`, several documents are an
    /// error. `severalHint` ends that error's message with what to call instead, in the
    /// caller's terms: users read it, so it never names a Swift function.
    public static func decode(_ text: String, severalHint: String? = nil) throws(DataCodecError) -> DataValue {
        let documents = try readDocuments(text, stopAfter: 2)
        guard documents.count <= 1 else {
            let mark = documents[1].mark
            let position = mark.map { " (second document at line \($0.line), column \($0.column))" } ?? ""
            throw DataCodecError(
                "expected a single YAML document but found several\(position)\(severalHint.map { "; \($0)" } ?? "")",
                line: mark?.line, column: mark?.column)
        }
        return documents.first?.value ?? .null
    }

    /// Parses every document of a `---`-separated stream, skipping empty ones.
    public static func decodeAll(_ text: String) throws(DataCodecError) -> [DataValue] {
        try readDocuments(text, stopAfter: nil).map(\.value)
    }

    /// Serialises one document in block style, keeping object key order.
    public static func encode(_ value: DataValue) throws(DataCodecError) -> String {
        do {
            return try Yams.serialize(node: YAMLNodeWriter().node(for: value),
                                      indent: 2, width: -1, allowUnicode: true, lineBreak: .ln)
        } catch {
            throw YAMLErrorTranslation.translate(error, source: "")
        }
    }

    /// Serialises several documents separated by `---` lines.
    public static func encodeAll(_ documents: [DataValue]) throws(DataCodecError) -> String {
        var parts: [String] = []
        parts.reserveCapacity(documents.count)
        for document in documents {
            parts.append(try encode(document))
        }
        return parts.joined(separator: "---\n")
    }

    private static func readDocuments(_ text: String, stopAfter limit: Int?) throws(DataCodecError)
        -> [(value: DataValue, mark: Mark?)] {
        do {
            let parser = try Parser(yaml: text, resolver: .basic, encoding: .utf8)
            var reader = YAMLNodeReader(source: text)
            var documents: [(value: DataValue, mark: Mark?)] = []
            while let root = try parser.nextRoot() {
                if isEmptyDocument(root) { continue }
                documents.append((try reader.value(of: root), root.mark))
                if let limit, documents.count >= limit { break }
            }
            return documents
        } catch {
            throw YAMLErrorTranslation.translate(error, source: text)
        }
    }

    /// A document with no content (`---` alone, or only comments) composes to an empty plain scalar.
    private static func isEmptyDocument(_ root: Node) -> Bool {
        guard case let .scalar(scalar) = root else { return false }
        return scalar.string.isEmpty && scalar.style == .plain && scalar.tag.rawValue.isEmpty
    }
}
