import CCrypto

/// SHA-256 in the "sha256:<hex>" form the report, plans and registries use.
enum Digest {
    static func sha256(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { b in _ = ud_sha256(b.baseAddress, b.count, &out) }
        let digits = Array("0123456789abcdef")
        return "sha256:" + String(out.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
