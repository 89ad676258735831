import UnideskData

/// What a dry-run apply says the server would do with an object, against what it stores now.
public struct KubeApplyPlan: Sendable, Equatable {
    public enum Change: Sendable, Equatable {
        /// The object does not exist yet.
        case create
        /// These fields would change ("spec.replicas: 2 → 3"), see `ObjectDiff`.
        case change([String])
        /// The apply would leave the object as it is.
        case unchanged
    }

    /// The object as the server would store it (its dry-run answer).
    public let object: DataValue
    public let change: Change

    /// `current`: the live object, nil when there is none; `dryRun`: the server's dry-run answer.
    public init(current: DataValue?, dryRun: DataValue) {
        object = dryRun
        guard let current else { change = .create; return }
        let changes = ObjectDiff.changes(from: current, to: dryRun)
        change = changes.isEmpty ? .unchanged : .change(changes)
    }
}

extension KubeClient {
    /// What applying `object` would do: the live object, then a dryRun=All apply; nothing is
    /// stored. `timeout` is asked before each request.
    public func planApply(_ object: DataValue, fieldManager: String, force: Bool, timeout: () -> Double) throws(KubeError) -> KubeApplyPlan {
        guard let ref = KubeObjectRef(object) else { throw KubeError(.invalid, "an object to apply needs apiVersion, kind and metadata.name") }
        let current = try get(kind: ref.kind, apiVersion: ref.apiVersion, name: ref.name, namespace: ref.namespace, timeout: timeout())
        let dryRun = try apply(object, fieldManager: fieldManager, force: force, dryRun: true, timeout: timeout())
        return KubeApplyPlan(current: current, dryRun: dryRun.object)
    }
}
