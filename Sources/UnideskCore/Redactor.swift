import Foundation

/// Scrubs every known secret value out of text before it reaches a terminal, log, report
/// or error message. Secrets are registered as they appear (unidesk.secret, secret env
/// variables, primitives that read credentials).
public final class Redactor: @unchecked Sendable {
    public static let mask = "<secret>"
    private var secrets: [String] = []

    public init() {}

    public func register(_ secret: String) {
        // Very short values would mask ordinary words everywhere; they still stay opaque in
        // Lua, but plain-text scrubbing starts at 4 bytes.
        guard secret.utf8.count >= 4, !secrets.contains(secret) else { return }
        secrets.append(secret)
        secrets.sort { $0.utf8.count > $1.utf8.count }   // longest first: no partial leftovers
    }

    public func scrub(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for s in secrets where out.contains(s) {
            out = out.replacingOccurrences(of: s, with: Self.mask)
        }
        return out
    }
}
