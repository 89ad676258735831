import CCrypto

/// SHA-256 over data that arrives in pieces.
final class SHA256Stream {
    private var context: OpaquePointer?

    init() { context = ud_sha256_begin() }
    deinit { if let context { var out = [UInt8](repeating: 0, count: 32); _ = ud_sha256_end(context, &out) } }

    func update(_ bytes: UnsafeRawBufferPointer) {
        if let context, bytes.count > 0 { _ = ud_sha256_update(context, bytes.baseAddress, bytes.count) }
    }

    /// "sha256:<hex>"; the stream cannot be used afterwards.
    func finish() -> String {
        var out = [UInt8](repeating: 0, count: 32)
        if let context { _ = ud_sha256_end(context, &out) }
        context = nil
        let digits = Array("0123456789abcdef")
        return "sha256:" + String(out.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
