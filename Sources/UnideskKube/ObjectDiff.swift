import UnideskData

/// What a dry-run apply would change, field by field, ignoring what the server keeps for
/// itself (status, resourceVersion, managedFields, timestamps).
public enum ObjectDiff {
    static let volatile: Set<String> = [
        "status", "metadata.resourceVersion", "metadata.generation", "metadata.managedFields",
        "metadata.creationTimestamp", "metadata.uid", "metadata.selfLink",
        "metadata.annotations.deployment.kubernetes.io/revision",
    ]

    /// Dot paths whose values differ ("spec.replicas: 2 → 3", "data.key: added"), sorted.
    public static func changes(from old: DataValue, to new: DataValue, limit: Int = 30) -> [String] {
        DataDiff.changes(from: old, to: new, ignoring: volatile, limit: limit)
    }
}
