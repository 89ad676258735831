import Foundation
import UnideskCore

/// What of an input reaches the history file.
public enum ReplHistory {
    /// The history entry for one submitted input: its lines joined by newlines, so Up brings
    /// back the whole chunk (a function definition, not its last `end`) and Enter runs it
    /// again. Nil when the input creates a secret (`secret(`, `secret "…"`, on any of its
    /// lines) or contains a known secret value.
    public static func entry(for lines: [String], redactor: Redactor) -> String? {
        let text = lines.joined(separator: "\n")
        guard !text.allSatisfy(\.isWhitespace), !mentionsSecret(text), redactor.scrub(text) == text else { return nil }
        return text
    }

    public static func mentionsSecret(_ text: String) -> Bool {
        text.range(of: #"secret\s*[("'\[{]"#, options: .regularExpression) != nil
    }
}
