import Foundation

/// The Lua standard library of unidesk (stdlib/unidesk/*.lua), embedded in the binary.
/// UNIDESK_STDLIB_DIR points at a source tree's stdlib/ instead, for stdlib development.
enum Stdlib {
    static func source(_ relativePath: String) -> String? {
        if let dir = ProcessEnvironment.value("UNIDESK_STDLIB_DIR"), !dir.isEmpty {
            return FileManager.default.contents(atPath: "\(dir)/\(relativePath)").map { String(decoding: $0, as: UTF8.self) }
        }
        return EmbeddedStdlib.files[relativePath]
    }

    /// The file's bytecode, compiled at build time by the Lua linked into unidesk; nil when
    /// UNIDESK_STDLIB_DIR points at sources (they are compiled as they load) or there is none.
    static func bytecode(_ relativePath: String) -> [UInt8]? {
        if let dir = ProcessEnvironment.value("UNIDESK_STDLIB_DIR"), !dir.isEmpty { return nil }
        guard let literal = EmbeddedStdlib.bytecode[relativePath] else { return nil }
        return literal.withUTF8Buffer { decodeBytecodeLiteral($0) }
    }

    /// The generator writes each byte that is not printable ASCII as \u{XX}: U+0000…U+00FF,
    /// one or two bytes of UTF-8. This turns them back into the bytes.
    static func decodeBytecodeLiteral(_ utf8: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: utf8.count) { out, count in
            var i = 0, n = 0
            while i < utf8.count {
                let b = utf8[i]
                if b < 0x80 {
                    out[n] = b
                    i += 1
                } else {
                    out[n] = ((b & 0x03) << 6) | (utf8[i + 1] & 0x3f)
                    i += 2
                }
                n += 1
            }
            count = n
        }
    }

    /// Public module names ("unidesk.semver"), without the private `_`-prefixed files.
    static var moduleNames: [String] {
        EmbeddedStdlib.files.keys
            .filter { $0.hasPrefix("unidesk/") && !$0.hasPrefix("unidesk/_") }
            .map { "unidesk." + $0.dropFirst("unidesk/".count).dropLast(".lua".count).replacingOccurrences(of: "/", with: ".") }
            .sorted()
    }
}
