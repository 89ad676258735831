import CSystem
import Foundation
import UnideskData

/// Scrubs every known secret value out of text before it reaches a terminal, log, report
/// or error message. Secrets are registered as they appear (unidesk.secret, secret env
/// variables, primitives that read credentials).
public final class Redactor: @unchecked Sendable {
    public static let mask = "<secret>"
    private var secrets: [String] = []
    /// The same forms as bytes, for the search that nearly always finds nothing.
    private var secretBytes: [[UInt8]] = []

    public init() {}

    public func register(_ secret: String) {
        // Very short values would mask ordinary words everywhere; they still stay opaque in
        // Lua, but plain-text scrubbing starts at 4 bytes.
        guard secret.utf8.count >= 4 else { return }
        // The escaped forms too: a secret printed inside JSON or XML is no longer its raw text.
        for form in [secret, Self.jsonEscaped(secret), Self.xmlEscaped(secret)] where !secrets.contains(form) {
            secrets.append(form)
        }
        secrets.sort { $0.utf8.count > $1.utf8.count }   // longest first: no partial leftovers
        secretBytes = secrets.map { Array($0.utf8) }
    }

    /// Masks secrets inside every string of a value (before it is encoded anywhere).
    public func scrub(_ value: DataValue) -> DataValue {
        guard !secrets.isEmpty else { return value }
        switch value {
        case .string(let s): return .string(scrub(s))
        case .array(let a): return .array(a.map { scrub($0) })
        case .object(let o): return .object(o.map { (scrub($0.0), scrub($0.1)) })
        default: return value
        }
    }

    static func jsonEscaped(_ s: String) -> String {
        guard let quoted = try? JSON.encode(.string(s)) else { return s }
        return String(quoted.dropFirst().dropLast())
    }

    static func xmlEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    public func scrub(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        // A byte search first (memmem): String.contains compares grapheme by grapheme,
        // which made scrubbing the dominant cost of runs with many audit records.
        var probe = text
        let present = probe.withUTF8 { buf in
            secretBytes.contains { s in s.withUnsafeBytes { ud_contains_bytes(buf.baseAddress, buf.count, $0.baseAddress, s.count) != 0 } }
        }
        guard present else { return text }
        var out = text
        for s in secrets where out.contains(s) {
            out = out.replacingOccurrences(of: s, with: Self.mask)
        }
        return out
    }

    /// Bytes with every known secret masked, byte for byte otherwise (print's output, which
    /// need not be UTF-8). Secrets are masked longest first, left to right.
    public func scrub(bytes: [UInt8]) -> [UInt8] {
        guard !secretBytes.isEmpty else { return bytes }
        let present = bytes.withUnsafeBytes { buf in
            secretBytes.contains { s in s.withUnsafeBytes { ud_contains_bytes(buf.baseAddress, buf.count, $0.baseAddress, s.count) != 0 } }
        }
        guard present else { return bytes }
        let mask = Array(Self.mask.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        outer: while i < bytes.count {
            for s in secretBytes where !s.isEmpty && i + s.count <= bytes.count && bytes[i] == s[0] && Array(bytes[i..<(i + s.count)]) == s {
                out += mask
                i += s.count
                continue outer
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }
}
