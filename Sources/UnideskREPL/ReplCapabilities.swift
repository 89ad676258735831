import UnideskBindings
import UnideskCore

/// The capability operations `:allow` is about: those of primitives that write (reads are
/// allowed unless denied, so a grant for one changes nothing). TAB completes them after
/// `:allow`, and a pattern that matches none of them gets a warning.
public enum ReplCapabilities {
    public static var writeOperations: [String] {
        Set(Libraries.all.flatMap(\.specs).filter { $0.effect == .write }.map(\.operation).filter { !$0.contains("<") }).sorted()
    }

    /// Whether a grant pattern covers the operation of at least one writing primitive.
    static func grantsAnyWrite(_ pattern: CapabilityPattern) -> Bool {
        writeOperations.contains { pattern.matches(Capability($0, scope: pattern.scope)) }
    }
}
