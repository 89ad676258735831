import CCrypto

/// SHA-256 through OpenSSL (hardware-accelerated where the CPU offers it).
public enum SHA256 {
    public static func hex(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { b in _ = ud_sha256(b.baseAddress, b.count, &out) }
        return out.map { String(format: "%02x", $0) }.joined()
    }

    /// "sha256:<hex>", the OCI digest form.
    public static func digest(_ bytes: [UInt8]) -> String { "sha256:" + hex(bytes) }
}

private func String(format: String, _ v: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(v >> 4)], digits[Int(v & 15)]])
}
