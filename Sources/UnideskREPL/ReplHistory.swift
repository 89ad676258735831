import Foundation
import UnideskCore

/// Which lines of one input go into the REPL's history.
public enum ReplHistory {
    /// The lines to remember for one input: all of them, or none when the input creates a
    /// secret (`secret(`, `secret "…"`, on any of its lines) or contains a known secret value.
    public static func entries(for lines: [String], redactor: Redactor) -> [String] {
        let text = lines.joined(separator: "\n")
        guard !mentionsSecret(text), redactor.scrub(text) == text else { return [] }
        return lines
    }

    public static func mentionsSecret(_ text: String) -> Bool {
        text.range(of: #"secret\s*[("'\[{]"#, options: .regularExpression) != nil
    }
}
