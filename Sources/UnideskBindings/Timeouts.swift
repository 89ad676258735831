import UnideskCore

/// Every family's timeout default and floor, in one place (docs/guide.md lists them).
/// A call's own `timeout` replaces the default; the run's or the step's deadline cuts
/// any of them short (`RunContext.timeout`).
enum Timeouts {
    /// compose ps/inspect/recreate/up/stop/down (a health wait included).
    static let compose = TimeoutDefault(seconds: 120, minimum: 1)
    /// One kube request (get, list, apply, delete, discovery).
    static let kube = TimeoutDefault(seconds: 30, minimum: 0.5)
    /// kube.wait as a whole.
    static let kubeWait = TimeoutDefault(seconds: 300, minimum: 0.5)
    /// http.get/head (one request; http.wait's polls each).
    static let http = TimeoutDefault(seconds: 30, minimum: 0.001)
    /// registry.head/head_many.
    static let registry = TimeoutDefault(seconds: 30, minimum: 0.001)
    /// pg.connect.
    static let pgConnect = TimeoutDefault(seconds: 10, minimum: 0.001)
    /// A pg statement, script or transaction step: none of its own, only the deadline.
    static let pgStatement = TimeoutDefault(seconds: .infinity, minimum: 0.001)
    /// The rollback after a failed transaction.
    static let pgRollback = TimeoutDefault(seconds: 5, minimum: 0.001)
    /// snapshot's container-engine lookups (volume mountpoints, containers using a volume).
    static let snapshotEngine = TimeoutDefault(seconds: 60, minimum: 1)
    /// state.lock: waiting for another run's lock (0: fail at once).
    static let stateLock = TimeoutDefault(seconds: 0, minimum: 0)
}
