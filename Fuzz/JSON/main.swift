import FuzzSupport
import UnideskData

// JSON.decode(bytes:) on arbitrary bytes. Beyond "no crash": a decoded value re-encodes (the
// decoder never yields a non-finite double), and the encoding decodes back to an equal value;
// the String entry point agrees with the bytes one.
runFuzzer { bytes in
    let value: DataValue
    do throws(DataCodecError) { value = try JSON.decode(bytes: bytes) } catch {
        if error.message.isEmpty { violated("JSON error without a message") }
        if let text = utf8Text(bytes), (try? JSON.decode(text)) != nil { violated("decode(String) accepts what decode(bytes:) refuses") }
        return
    }
    if let text = utf8Text(bytes), (try? JSON.decode(text)) != value { violated("decode(String) differs from decode(bytes:)") }
    let encoded: String
    do { encoded = try JSON.encode(value, options: .init(sortKeys: false)) } catch {
        violated("decoded JSON does not re-encode: \(error)")
    }
    do {
        if try JSON.decode(encoded) != value { violated("JSON round trip changed the value: \(encoded)") }
    } catch {
        violated("re-encoded JSON does not decode: \(error): \(encoded)")
    }
}
