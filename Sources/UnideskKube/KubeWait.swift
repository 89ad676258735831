import CSystem
import Foundation
import UnideskData

/// The time a wait reads and sleeps on: the system's monotonic clock, or a test's.
public protocol KubeClock {
    /// Seconds on a monotonic scale.
    var now: Double { get }
    func sleep(_ seconds: Double)
}

public struct SystemKubeClock: KubeClock {
    public init() {}
    public var now: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    /// Ends early when the process is asked to stop (SIGTERM, SIGINT); the next poll's
    /// request then fails at once and the wait ends.
    public func sleep(_ seconds: Double) { _ = ud_stop_sleep(seconds) }
}

/// What a wait waits for.
public enum KubeWaitGoal: Sendable, Equatable {
    /// kubectl rollout status (Deployments, StatefulSets, DaemonSets).
    case rollout
    /// A status condition of this type with this status ("True" unless given).
    case condition(type: String, status: String)

    /// "Available" (Available=True) or "Ready=False"; nil when no type is named.
    public init?(condition: String) {
        let parts = condition.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let type = parts.first, !type.isEmpty else { return nil }
        self = .condition(type: type, status: parts.count > 1 ? parts[1] : "True")
    }
}

/// Polling one object until a goal holds: the state machine of `kube.wait`, over any clock
/// and any source of the object, so it is tested without an API server.
public struct KubeWait {
    public var kind: String
    public var name: String
    public var goal: KubeWaitGoal
    /// Seconds in all.
    public var timeout: Double
    /// Seconds between polls.
    public var interval: Double

    public init(kind: String, name: String, goal: KubeWaitGoal, timeout: Double, interval: Double) {
        self.kind = kind
        self.name = name
        self.goal = goal
        self.timeout = timeout
        self.interval = interval
    }

    /// What one poll saw.
    public enum Observation: Sendable, Equatable {
        case met
        /// Not yet, with the message a timeout would report.
        case waiting(String)
        /// It will not get there (a Deployment past its progress deadline).
        case failed(String)
    }

    /// The goal judged on one sighting of the object (nil: it does not exist).
    public func observe(_ object: DataValue?) -> Observation {
        guard let object else { return .waiting("\(kind) \(name) does not exist") }
        switch goal {
        case .condition(let type, let status):
            let r = RolloutStatus.condition(object, type: type, status: status)
            return r.met ? .met : .waiting(r.reason)
        case .rollout:
            switch RolloutStatus.of(object) {
            case .done: return .met
            case .waiting(let m): return .waiting(m)
            case .failed(let m): return .failed(m)
            }
        }
    }

    /// Polls `fetch` (given each request's timeout: what is left, 0.5 s to 30 s) every
    /// `interval` until the goal holds, returning the object as last seen. Throws kind
    /// rollout_failed (with the object), timeout (with the last message) when the next poll
    /// would come after `timeout`, or what `fetch` throws.
    public func run(clock: KubeClock, fetch: (_ timeout: Double) throws(KubeError) -> DataValue?) throws(KubeError) -> DataValue {
        let until = clock.now + timeout
        var last = "not seen yet"
        while true {
            let object = try fetch(max(0.5, min(30, until - clock.now)))
            switch observe(object) {
            case .met: if let object { return object }
            case .waiting(let m): last = m
            case .failed(let m):
                var e = KubeError(.rolloutFailed, m)
                e.object = object
                throw e
            }
            if clock.now + interval > until {
                var e = KubeError(.timeout, "\(kind) \(name) not ready after \(Int(timeout.rounded())) s: \(last)")
                e.last = last
                throw e
            }
            clock.sleep(interval)
        }
    }
}

extension KubeClient {
    /// Polls an object (GET) until `goal` holds; see `KubeWait.run`.
    public func wait(kind: String, apiVersion: String? = nil, name: String, namespace: String? = nil, for goal: KubeWaitGoal,
                     timeout: Double, interval: Double, clock: KubeClock = SystemKubeClock()) throws(KubeError) -> DataValue {
        try KubeWait(kind: kind, name: name, goal: goal, timeout: timeout, interval: interval).run(clock: clock) { (t) throws(KubeError) in
            try get(kind: kind, apiVersion: apiVersion, name: name, namespace: namespace, timeout: t)
        }
    }
}
