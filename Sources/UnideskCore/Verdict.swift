/// What a planned call would do to the world, as `unidesk plan` shows it to a reviewer.
/// A binding's plan closure decides it (a Kubernetes dry run, a file compared with what it
/// would write); the gate records it in the audit journal and the report.
public enum Verdict: Sendable, Equatable {
    /// Something that does not exist yet would be made.
    case create
    /// Something that exists would change; one line per changed field ("data.k: \"1\" → \"2\"").
    case change([String])
    /// The write would leave everything as it is.
    case unchanged
    /// Something would be removed and made anew (a container recreated, volumes restored).
    case replace
    /// Something would be removed.
    case delete
    /// The write could not be checked without performing it (or without the network); the
    /// plan's detail says why.
    case unverified
    /// A read that `plan --offline` did not perform: its result is not known.
    case unknown

    /// The report's `verdict` field.
    public var name: String {
        switch self {
        case .create: return "create"
        case .change: return "change"
        case .unchanged: return "unchanged"
        case .replace: return "replace"
        case .delete: return "delete"
        case .unverified: return "unverified"
        case .unknown: return "unknown"
        }
    }

    /// The report's `changes` field: the changed fields of a `change`, empty otherwise.
    public var changes: [String] {
        if case .change(let c) = self { return c }
        return []
    }
}
