import Testing
import UnideskData
@testable import UnideskKube

fileprivate func object(_ kind: String, _ name: String?, apiVersion: String? = "v1") -> DataValue {
    var pairs: [(String, DataValue)] = [("kind", .string(kind))]
    if let apiVersion { pairs.insert(("apiVersion", .string(apiVersion)), at: 0) }
    pairs.append(("metadata", .object(name.map { [("name", .string($0))] } ?? [])))
    return .object(pairs)
}

fileprivate func name(_ o: DataValue) -> String { o["metadata"]?["name"]?.stringValue ?? "?" }

/// The order and grouping of a multi-object apply's sends, with a fake sender in place of
/// the API server (the real path: UnideskCoreTests/KubeRecipeTests).
@Suite struct KubeApplyQueueTests {
    /// Records what was sent, alone or as a run, and answers with the object (or the
    /// failure scripted for a name).
    final class FakeApplySender {
        enum Send: Equatable { case one(String), run([String]) }
        var sends: [Send] = []
        var failing: Set<String> = []

        func answer(_ o: DataValue) -> KubeApplyQueue.Outcome {
            if failing.contains(name(o)) { return .failure(KubeError(.invalid, "\(name(o)) is invalid")) }
            let r = KubeClient.Resource(group: "", version: "v1", name: "things", kind: o["kind"]?.stringValue ?? "", namespaced: true)
            return .success(KubeClient.Applied(object: o, created: true, resource: r, namespace: "default"))
        }

        func queue(_ objects: [DataValue], _ batching: KubeApplyBatching = .runsOfOneKind,
                   permitted: @escaping (KubeObjectRef) -> Bool = { _ in true }) -> KubeApplyQueue {
            KubeApplyQueue(objects: objects, batching: batching, permitted: permitted,
                           sendOne: { (o) throws(KubeError) in
                               self.sends.append(.one(name(o)))
                               return try self.answer(o).get()
                           },
                           sendRun: { (os) throws(KubeError) in
                               self.sends.append(.run(os.map(name)))
                               return os.map(self.answer)
                           })
        }
    }

    let mixed = [object("Namespace", "ns"), object("ConfigMap", "a"), object("ConfigMap", "b"), object("ConfigMap", "c"),
                 object("Deployment", "d", apiVersion: "apps/v1"), object("CustomResourceDefinition", "x", apiVersion: "apiextensions.k8s.io/v1"),
                 object("CustomResourceDefinition", "y", apiVersion: "apiextensions.k8s.io/v1"),
                 object("Widget", "w1", apiVersion: "example.dev/v1"), object("Widget", "w2", apiVersion: "example.dev/v2")]

    @Test func runsOfOneKindAndApiVersionAreBatchesNamespacesAndCRDsAreNot() {
        #expect(KubeApplyBatching.runsOfOneKind.batches(mixed) == [0..<1, 1..<4, 4..<5, 5..<6, 6..<7, 7..<8, 8..<9])
        #expect(KubeApplyBatching.none.batches(mixed) == (0..<9).map { $0..<($0 + 1) })
        #expect(KubeApplyBatching.runsOfOneKind.batches([]) == [])
    }

    /// An object without kind or apiVersion belongs to no run (the old binding looped forever on it).
    @Test func anObjectWithoutKindOrApiVersionIsABatchOfItsOwn() {
        let objects = [object("ConfigMap", "a"), object("ConfigMap", "b", apiVersion: nil), object("ConfigMap", "c"), object("ConfigMap", "d")]
        #expect(KubeApplyBatching.runsOfOneKind.batches(objects) == [0..<1, 1..<2, 2..<4])
        var noKind = object("ConfigMap", "e")
        if case .object(let pairs) = noKind { noKind = .object(pairs.filter { $0.0 != "kind" }) }
        #expect(KubeApplyBatching.runsOfOneKind.batches([noKind, noKind]) == [0..<1, 1..<2])
    }

    @Test func aRunIsSentWhenItsTurnComesNotBefore() throws {
        let fake = FakeApplySender()
        let q = fake.queue(mixed)
        _ = try q.applied(at: 0)
        #expect(fake.sends == [.one("ns")], "nothing after the namespace goes out before it")
        for i in 1..<mixed.count { #expect(name(try q.applied(at: i).object) == name(mixed[i])) }
        #expect(fake.sends == [.one("ns"), .run(["a", "b", "c"]), .one("d"), .one("x"), .one("y"), .one("w1"), .one("w2")])
    }

    @Test func aRunWithAnObjectThePolicyRefusesGoesOneAtATime() throws {
        let fake = FakeApplySender()
        var asked: [KubeObjectRef] = []
        let q = fake.queue([object("ConfigMap", "a"), object("ConfigMap", "b"), object("ConfigMap", "c")], permitted: { ref in
            asked.append(ref)
            return ref.name != "b"
        })
        _ = try q.applied(at: 0)
        #expect(fake.sends == [.one("a")])
        #expect(asked.map(\.name) == ["a", "b"], "checked in order, stopping at the first refusal")
        #expect(asked.first == KubeObjectRef(kind: "ConfigMap", apiVersion: "v1", name: "a"))
    }

    @Test func aRunWithAnObjectWithoutANameGoesOneAtATime() throws {
        let fake = FakeApplySender()
        let q = fake.queue([object("ConfigMap", "a"), object("ConfigMap", nil), object("ConfigMap", "c")])
        _ = try q.applied(at: 0)
        #expect(fake.sends == [.one("a")])
    }

    /// A run's failure is thrown at its own object, after the whole run was sent.
    @Test func aRunsFailureIsThrownAtItsObject() throws {
        let fake = FakeApplySender()
        fake.failing = ["b"]
        let q = fake.queue([object("ConfigMap", "a"), object("ConfigMap", "b"), object("ConfigMap", "c")])
        #expect(name(try q.applied(at: 0).object) == "a")
        #expect(fake.sends == [.run(["a", "b", "c"])])
        #expect(throws: KubeError.self) { try q.applied(at: 1) }
        #expect(name(try q.applied(at: 2).object) == "c")
        #expect(fake.sends == [.run(["a", "b", "c"])], "nothing sent twice")
    }

    @Test func withoutBatchingEveryObjectGoesAlone() throws {
        let fake = FakeApplySender()
        let q = fake.queue([object("ConfigMap", "a"), object("ConfigMap", "b")], .none)
        _ = try q.applied(at: 0)
        _ = try q.applied(at: 1)
        #expect(fake.sends == [.one("a"), .one("b")])
    }

    @Test func objectRefsNameWhatAScopeNeeds() {
        let o: DataValue = .object([("apiVersion", .string("apps/v1")), ("kind", .string("Deployment")),
                                    ("metadata", .object([("name", .string("web")), ("namespace", .string("shop"))]))])
        #expect(KubeObjectRef(o) == KubeObjectRef(kind: "Deployment", apiVersion: "apps/v1", name: "web", namespace: "shop"))
        #expect(KubeObjectRef(object("ConfigMap", nil)) == nil)
        #expect(KubeObjectRef(object("ConfigMap", "a", apiVersion: nil)) == nil)
    }
}

/// The plan's verdict for one object: the dry-run answer against the live object.
@Suite struct KubeApplyPlanTests {
    func configMap(_ data: [(String, DataValue)], resourceVersion: String) -> DataValue {
        .object([("apiVersion", .string("v1")), ("kind", .string("ConfigMap")),
                 ("metadata", .object([("name", .string("kept")), ("resourceVersion", .string(resourceVersion)),
                                       ("managedFields", .array([.object([("manager", .string("unidesk"))])]))])),
                 ("data", .object(data))])
    }

    @Test func noLiveObjectIsACreate() {
        let dry = configMap([("k", .string("1"))], resourceVersion: "")
        #expect(KubeApplyPlan(current: nil, dryRun: dry).change == .create)
        #expect(KubeApplyPlan(current: nil, dryRun: dry).object == dry)
    }

    @Test func changedFieldsAreListedAndServerBookkeepingIsNot() {
        let live = configMap([("k", .string("1"))], resourceVersion: "7")
        let dry = configMap([("k", .string("2")), ("extra", .string("x"))], resourceVersion: "8")
        #expect(KubeApplyPlan(current: live, dryRun: dry).change == .change(["data.extra: added \"x\"", "data.k: \"1\" → \"2\""]))
        #expect(KubeApplyPlan(current: live, dryRun: configMap([("k", .string("1"))], resourceVersion: "8")).change == .unchanged)
    }
}
