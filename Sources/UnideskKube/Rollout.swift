import UnideskData

/// kubectl's `rollout status` logic, as a function of the object: done, still waiting
/// (with kubectl's message), or failed.
public enum RolloutStatus: Sendable, Equatable {
    case done(String)
    case waiting(String)
    case failed(String)

    public static func of(_ obj: DataValue) -> RolloutStatus {
        let kind = obj["kind"]?.stringValue ?? ""
        let name = obj["metadata"]?["name"]?.stringValue ?? "?"
        let generation = obj["metadata"]?["generation"]?.intValue ?? 0
        let status = obj["status"] ?? .object([])
        let observed = status["observedGeneration"]?.intValue ?? 0
        func n(_ key: String) -> Int64 { status[key]?.intValue ?? 0 }
        switch kind {
        case "Deployment":
            guard generation <= observed else { return .waiting("waiting for deployment \"\(name)\" spec update to be observed") }
            let progressing = status["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Progressing" }
            if progressing?["reason"]?.stringValue == "ProgressDeadlineExceeded" {
                return .failed("deployment \"\(name)\" exceeded its progress deadline")
            }
            let replicas = obj["spec"]?["replicas"]?.intValue ?? 1
            let updated = n("updatedReplicas"), total = n("replicas"), available = n("availableReplicas")
            if updated < replicas {
                return .waiting("Waiting for deployment \"\(name)\" rollout to finish: \(updated) out of \(replicas) new replicas have been updated...")
            }
            if total > updated {
                return .waiting("Waiting for deployment \"\(name)\" rollout to finish: \(total - updated) old replicas are pending termination...")
            }
            if available < updated {
                return .waiting("Waiting for deployment \"\(name)\" rollout to finish: \(available) of \(updated) updated replicas are available...")
            }
            return .done("deployment \"\(name)\" successfully rolled out")
        case "StatefulSet":
            if obj["spec"]?["updateStrategy"]?["type"]?.stringValue == "OnDelete" {
                return .failed("rollout status is only available for RollingUpdate strategy type (statefulset \"\(name)\" uses OnDelete)")
            }
            guard observed != 0 && generation <= observed else { return .waiting("Waiting for statefulset \"\(name)\" spec update to be observed...") }
            let replicas = obj["spec"]?["replicas"]?.intValue ?? 1
            if n("readyReplicas") < replicas {
                return .waiting("Waiting for \(replicas - n("readyReplicas")) pods to be ready...")
            }
            if let partition = obj["spec"]?["updateStrategy"]?["rollingUpdate"]?["partition"]?.intValue, partition > 0 {
                if n("updatedReplicas") < replicas - partition {
                    return .waiting("Waiting for partitioned roll out to finish: \(n("updatedReplicas")) out of \(replicas - partition) new pods have been updated...")
                }
                return .done("partitioned roll out complete: \(n("updatedReplicas")) new pods have been updated...")
            }
            if status["updateRevision"]?.stringValue != status["currentRevision"]?.stringValue {
                return .waiting("waiting for statefulset rolling update to complete \(n("updatedReplicas")) pods at revision \(status["updateRevision"]?.stringValue ?? "?")...")
            }
            return .done("statefulset rolling update complete \(n("currentReplicas")) pods at revision \(status["currentRevision"]?.stringValue ?? "?")...")
        case "DaemonSet":
            if obj["spec"]?["updateStrategy"]?["type"]?.stringValue == "OnDelete" {
                return .failed("rollout status is only available for RollingUpdate strategy type (daemon set \"\(name)\" uses OnDelete)")
            }
            guard generation <= observed else { return .waiting("Waiting for daemon set spec update to be observed...") }
            let desired = n("desiredNumberScheduled")
            if n("updatedNumberScheduled") < desired {
                return .waiting("Waiting for daemon set \"\(name)\" rollout to finish: \(n("updatedNumberScheduled")) out of \(desired) new pods have been updated...")
            }
            if n("numberAvailable") < desired {
                return .waiting("Waiting for daemon set \"\(name)\" rollout to finish: \(n("numberAvailable")) of \(desired) updated pods are available...")
            }
            return .done("daemon set \"\(name)\" successfully rolled out")
        default:
            return .failed("rollout status is for Deployments, StatefulSets and DaemonSets, not \(kind)")
        }
    }

    /// Whether condition `type` has `status` ("True" by default).
    public static func condition(_ obj: DataValue, type: String, status wanted: String = "True") -> (met: Bool, reason: String) {
        let c = obj["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
        guard let c else { return (false, "no \(type) condition yet") }
        let s = c["status"]?.stringValue ?? "?"
        let reason = [c["reason"]?.stringValue, c["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
        return (s == wanted, "\(type)=\(s)\(reason.isEmpty ? "" : " (\(reason))")")
    }
}
