import Testing
import UnideskData
@testable import UnideskKube

/// kubectl rollout status semantics on object snapshots.
@Suite struct RolloutStatusTests {
    func deployment(generation: Int64 = 2, observed: Int64 = 2, replicas: Int64 = 3, status: [(String, DataValue)]) -> DataValue {
        .object([("kind", .string("Deployment")), ("metadata", .object([("name", .string("web")), ("generation", .int(generation))])),
                 ("spec", .object([("replicas", .int(replicas))])),
                 ("status", .object([("observedGeneration", .int(observed))] + status))])
    }

    @Test func deploymentStates() {
        #expect(RolloutStatus.of(deployment(generation: 3, observed: 2, status: [])) == .waiting("waiting for deployment \"web\" spec update to be observed"))
        #expect(RolloutStatus.of(deployment(status: [("updatedReplicas", .int(1)), ("replicas", .int(3))]))
                == .waiting("Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated..."))
        #expect(RolloutStatus.of(deployment(status: [("updatedReplicas", .int(3)), ("replicas", .int(4))]))
                == .waiting("Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination..."))
        #expect(RolloutStatus.of(deployment(status: [("updatedReplicas", .int(3)), ("replicas", .int(3)), ("availableReplicas", .int(2))]))
                == .waiting("Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available..."))
        #expect(RolloutStatus.of(deployment(status: [("updatedReplicas", .int(3)), ("replicas", .int(3)), ("availableReplicas", .int(3))]))
                == .done("deployment \"web\" successfully rolled out"))
        let stuck = deployment(status: [("conditions", .array([.object([("type", .string("Progressing")), ("status", .string("False")),
                                                                          ("reason", .string("ProgressDeadlineExceeded"))])]))])
        #expect(RolloutStatus.of(stuck) == .failed("deployment \"web\" exceeded its progress deadline"))
        #expect(RolloutStatus.of(deployment(replicas: 0, status: [])) == .done("deployment \"web\" successfully rolled out"))
    }

    @Test func statefulSetAndDaemonSetAndOthers() {
        let sts: DataValue = .object([("kind", .string("StatefulSet")), ("metadata", .object([("name", .string("db")), ("generation", .int(1))])),
                                      ("spec", .object([("replicas", .int(2))])),
                                      ("status", .object([("observedGeneration", .int(1)), ("readyReplicas", .int(2)), ("currentReplicas", .int(2)),
                                                          ("updateRevision", .string("db-2")), ("currentRevision", .string("db-1"))]))])
        #expect(RolloutStatus.of(sts) == .waiting("waiting for statefulset rolling update to complete 0 pods at revision db-2..."))
        let ds: DataValue = .object([("kind", .string("DaemonSet")), ("metadata", .object([("name", .string("agent")), ("generation", .int(1))])),
                                     ("status", .object([("observedGeneration", .int(1)), ("desiredNumberScheduled", .int(3)),
                                                         ("updatedNumberScheduled", .int(3)), ("numberAvailable", .int(3))]))])
        #expect(RolloutStatus.of(ds) == .done("daemon set \"agent\" successfully rolled out"))
        let cm: DataValue = .object([("kind", .string("ConfigMap"))])
        #expect(RolloutStatus.of(cm) == .failed("rollout status is for Deployments, StatefulSets and DaemonSets, not ConfigMap"))
    }

    @Test func conditionsAndDiffs() {
        let crd: DataValue = .object([("status", .object([("conditions", .array([.object([("type", .string("Established")), ("status", .string("True"))])]))]))])
        #expect(RolloutStatus.condition(crd, type: "Established").met)
        #expect(!RolloutStatus.condition(crd, type: "NamesAccepted").met)
        let old: DataValue = .object([("metadata", .object([("resourceVersion", .string("1"))])), ("data", .object([("a", .string("1")), ("b", .string("2"))]))])
        let new: DataValue = .object([("metadata", .object([("resourceVersion", .string("2"))])), ("data", .object([("a", .string("1")), ("b", .string("3")), ("c", .string("4"))]))])
        #expect(ObjectDiff.changes(from: old, to: new) == ["data.b: \"2\" → \"3\"", "data.c: added \"4\""])
        #expect(ObjectDiff.changes(from: old, to: old).isEmpty)
    }
}
