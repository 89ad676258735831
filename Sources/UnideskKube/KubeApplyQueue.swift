import UnideskData

/// What names one object to apply: its scope and its place in a batch need only this.
public struct KubeObjectRef: Sendable, Equatable {
    public var kind: String
    public var apiVersion: String
    public var name: String
    public var namespace: String?

    public init(kind: String, apiVersion: String, name: String, namespace: String? = nil) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.name = name
        self.namespace = namespace
    }

    /// nil when the object lacks apiVersion, kind or metadata.name.
    public init?(_ object: DataValue) {
        guard let kind = object["kind"]?.stringValue, let apiVersion = object["apiVersion"]?.stringValue,
              let name = object["metadata"]?["name"]?.stringValue else { return nil }
        self.init(kind: kind, apiVersion: apiVersion, name: name, namespace: object["metadata"]?["namespace"]?.stringValue)
    }
}

/// How the objects of one apply are grouped for sending: runs of consecutive objects of one
/// kind and apiVersion go out together, up to `concurrency` requests in flight.
public struct KubeApplyBatching: Sendable, Equatable {
    /// Requests in flight at once within a run; 1 sends every object on its own.
    public var concurrency: Int
    /// Kinds later objects may need to exist first (the namespace they live in, the CRD that
    /// defines their kind): always sent one at a time.
    public var oneAtATimeKinds: Set<String>

    public init(concurrency: Int, oneAtATimeKinds: Set<String>) {
        self.concurrency = concurrency
        self.oneAtATimeKinds = oneAtATimeKinds
    }

    /// Every object on its own, in order.
    public static let none = KubeApplyBatching(concurrency: 1, oneAtATimeKinds: [])
    /// Runs of one kind, 8 at a time; namespaces and CRDs one at a time.
    public static let runsOfOneKind = KubeApplyBatching(concurrency: 8, oneAtATimeKinds: ["Namespace", "CustomResourceDefinition"])

    /// The objects' indices cut into batches, in order: a batch of more than one index is a
    /// run that may be sent together; every other object is a batch of its own.
    public func batches(_ objects: [DataValue]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        while start < objects.count {
            let key = Self.runKey(objects[start])
            var end = start + 1
            if concurrency > 1, let key, !oneAtATimeKinds.contains(key.kind) {
                while end < objects.count, let next = Self.runKey(objects[end]), next == key { end += 1 }
            }
            out.append(start..<end)
            start = end
        }
        return out
    }

    /// Objects without kind or apiVersion belong to no run: they are sent (and refused) alone.
    private static func runKey(_ object: DataValue) -> (kind: String, apiVersion: String)? {
        guard let kind = object["kind"]?.stringValue, let apiVersion = object["apiVersion"]?.stringValue else { return nil }
        return (kind, apiVersion)
    }
}

/// The objects of one apply, sent in order as their results are asked for: a run is sent,
/// all of it at once, when its first object's result is asked for, and only when every
/// object of it is well-formed and `permitted`; otherwise each object is sent when asked.
/// So nothing is sent ahead of an earlier batch, and nothing the caller would refuse.
/// A run's failures are kept and thrown when their object's result is asked for.
public final class KubeApplyQueue {
    public typealias Outcome = Result<KubeClient.Applied, KubeError>

    let objects: [DataValue]
    let batches: [Range<Int>]
    let permitted: (KubeObjectRef) -> Bool
    let sendOne: (DataValue) throws(KubeError) -> KubeClient.Applied
    let sendRun: ([DataValue]) throws(KubeError) -> [Outcome]
    /// Results of a run sent together, until their objects are asked for.
    private var sent: [Int: Outcome] = [:]

    public init(objects: [DataValue], batching: KubeApplyBatching, permitted: @escaping (KubeObjectRef) -> Bool,
                sendOne: @escaping (DataValue) throws(KubeError) -> KubeClient.Applied,
                sendRun: @escaping ([DataValue]) throws(KubeError) -> [Outcome]) {
        self.objects = objects
        self.batches = batching.batches(objects)
        self.permitted = permitted
        self.sendOne = sendOne
        self.sendRun = sendRun
    }

    /// The server's answer for object `index` (0-based), sending it (or its run) if not yet sent.
    public func applied(at index: Int) throws(KubeError) -> KubeClient.Applied {
        if let done = sent.removeValue(forKey: index) { return try done.get() }
        if let run = batches.first(where: { $0.lowerBound == index }), run.count > 1,
           run.allSatisfy({ KubeObjectRef(objects[$0]).map(permitted) ?? false }) {
            let results = try sendRun(run.map { objects[$0] })
            for (k, r) in zip(run, results) { sent[k] = r }
            if let done = sent.removeValue(forKey: index) { return try done.get() }
        }
        return try sendOne(objects[index])
    }
}

extension KubeClient {
    /// Server-side apply of several objects in order, batched as `batching` says; see
    /// `KubeApplyQueue`. `timeout` is asked before each request (a deadline comes closer).
    public func apply(_ objects: [DataValue], batching: KubeApplyBatching, fieldManager: String, force: Bool,
                      timeout: @escaping () -> Double, permitted: @escaping (KubeObjectRef) -> Bool) -> KubeApplyQueue {
        KubeApplyQueue(objects: objects, batching: batching, permitted: permitted,
                       sendOne: { (o) throws(KubeError) in try self.apply(o, fieldManager: fieldManager, force: force, dryRun: false, timeout: timeout()) },
                       sendRun: { (os) throws(KubeError) in
                           try self.applyConcurrently(os, fieldManager: fieldManager, force: force, timeout: timeout(), concurrency: batching.concurrency)
                       })
    }
}
