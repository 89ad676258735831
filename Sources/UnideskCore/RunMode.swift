/// Whether effects happen.
public enum RunMode: Sendable, Equatable {
    /// Perform every allowed effect.
    case run
    /// Dry run: writes are recorded as planned effects (or checked by the primitive's own
    /// dry-run, e.g. Kubernetes server-side dryRun), never performed. Reads are performed
    /// unless `offline`, then they are recorded too.
    case plan(offline: Bool)

    public var isPlan: Bool { if case .plan = self { return true }; return false }
    public var isOfflinePlan: Bool { if case .plan(offline: true) = self { return true }; return false }
    public var name: String { isPlan ? "plan" : "run" }
}
