/// Lua strings are bytes; Swift text is Unicode. Where a Lua string is shown as text (a log
/// line, an error message, the audit), bytes that are not UTF-8 are written `\xNN`, never
/// replaced by U+FFFD: what is shown can be told apart and read back.
public enum ByteText {
    public static func escaped(_ b: [UInt8]) -> String {
        decoded(b) { byte in
            let hex = String(byte, radix: 16)
            return "\\x" + (hex.count < 2 ? "0" + hex : hex)
        }
    }

    /// Valid UTF-8 runs as they are; each byte outside them as `invalid(byte)` says.
    public static func decoded(_ b: [UInt8], invalid: (UInt8) -> String) -> String {
        var out = ""
        var i = 0
        while i < b.count {
            let n = validSequenceLength(b, at: i)
            if n > 0 {
                out += String(decoding: b[i..<(i + n)], as: UTF8.self)
                i += n
            } else {
                out += invalid(b[i])
                i += 1
            }
        }
        return out
    }

    /// The length of the valid UTF-8 sequence starting at `i`, 0 when none starts there.
    public static func validSequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let n: Int
        switch b[i] {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: n = 2
        case 0xE0...0xEF: n = 3
        case 0xF0...0xF4: n = 4
        default: return 0
        }
        guard i + n <= b.count else { return 0 }
        return String(validating: b[i..<(i + n)], as: UTF8.self) != nil ? n : 0
    }
}

extension LuaValue {
    /// A string as text to show (bytes that are not UTF-8 as `\xNN`); nil for other types.
    public var textValue: String? {
        switch self {
        case .string(let s): return s
        case .bytes(let b): return ByteText.escaped(b)
        default: return nil
        }
    }
}
