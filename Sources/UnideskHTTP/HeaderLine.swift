/// One line of a response's header as libcurl hands it over ("Name: value\r\n"), read from
/// its bytes: a Kubernetes apply gets a dozen per response, and Foundation's trimming (which
/// bridges through NSString) cost some 170,000 instructions per response, more than
/// libcurl's own work for the request (callgrind, 200 applies, issue 21).
enum HeaderLine {
    /// Whether the line starts a response ("HTTP/1.1 200 OK"): a new one after a redirect
    /// or a 100 Continue.
    static func isStatusLine(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 5 && bytes[0] == 0x48 && bytes[1] == 0x54 && bytes[2] == 0x54 && bytes[3] == 0x50 && bytes[4] == 0x2F
    }

    /// The field's name, lowercased, and its value without the whitespace around it; nil
    /// for a line without a colon (the blank line that ends the header).
    static func field(_ bytes: UnsafeBufferPointer<UInt8>) -> (name: String, value: String)? {
        guard let colon = bytes.firstIndex(of: 0x3A) else { return nil }
        var start = colon + 1, end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<colon]), as: UTF8.self).lowercased()
        return (name, String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
    }

    /// Space, tab, CR, LF, vertical tab, form feed. Not the other Unicode spaces (U+00A0 …)
    /// that Foundation's whitespacesAndNewlines also trims: HTTP's optional whitespace is
    /// space and tab only, and bytes of a multi-byte character are never split off.
    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
}
