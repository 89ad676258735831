/// 1-based line and column of a byte offset, computed only when an error needs it.
struct TextLocation {
    let line: Int
    /// Counted in Unicode scalars so that it matches what editors show for non-ASCII text.
    let column: Int

    init(utf8 bytes: UnsafeBufferPointer<UInt8>, offset: Int) {
        let end = min(offset, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<end where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        var column = 1
        for index in lineStart..<end where bytes[index] & 0xC0 != 0x80 {
            column += 1
        }
        self.line = line
        self.column = column
    }
}
