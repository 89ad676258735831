import FuzzSupport
import UnideskData

// YAML.decodeAll (unidesk's wrapper over Yams: core schema, BOM repair, error translation).
// Beyond "no crash": what decodes re-encodes with YAML.encodeAll and decodes back to the same
// documents, and decode (one document) agrees with decodeAll (NaN counting as equal to NaN).
runFuzzer { bytes in
    guard let text = utf8Text(bytes) else { return }
    let documents: [DataValue]
    do throws(DataCodecError) { documents = try YAML.decodeAll(text) } catch {
        if error.message.isEmpty { violated("YAML error without a message") }
        return
    }
    if documents.count == 1, let one = try? YAML.decode(text), !sameData(one, documents[0]) {
        violated("decode differs from decodeAll's only document")
    }
    let encoded: String
    do { encoded = try YAML.encodeAll(documents) } catch {
        // A double that YAML cannot hold is the only documented refusal.
        return
    }
    do {
        let again = try YAML.decodeAll(encoded)
        if again.count != documents.count || !zip(again, documents).allSatisfy(sameData) { violated("YAML round trip changed the documents:\n\(encoded)") }
    } catch {
        violated("re-encoded YAML does not decode: \(error)\n\(encoded)")
    }
}
