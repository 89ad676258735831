import FuzzDriver
import Foundation
import UnideskData

// JSON.decode(bytes:) on arbitrary bytes. Beyond "no crash": a decoded value re-encodes (the
// decoder never yields a non-finite double), and the encoding decodes back to an equal value.
exit(unidesk_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSON.decode(bytes: bytes) else { return 0 }
    let encoded: String
    do {
        encoded = try JSON.encode(value, options: .init(sortKeys: false))
    } catch {
        fatalError("decoded JSON does not re-encode: \(error)")
    }
    do {
        let again = try JSON.decode(encoded)
        if again != value { fatalError("JSON round trip changed the value:\n\(encoded)") }
    } catch {
        fatalError("re-encoded JSON does not decode: \(error)\n\(encoded)")
    }
    return 0
})
