import CCrypto
import UnideskData

/// SHA-256 in the "sha256:<hex>" form the report, plans and registries use.
enum Digest {
    static func sha256(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { b in _ = ud_sha256(b.baseAddress, b.count, &out) }
        return "sha256:" + hex(out)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}

extension DataValue {
    /// Compact JSON with sorted keys: the one text of a value whatever the order of its
    /// object keys (a Lua table's is not stable from one run to the next), for digests and
    /// comparisons. Nil when the value has no JSON form.
    public var canonicalJSON: String? { try? JSON.encode(self, options: .init(pretty: false, sortKeys: true)) }
}
