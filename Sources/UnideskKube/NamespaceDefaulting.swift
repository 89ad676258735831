import UnideskData

/// `kubectl apply -n NS`: every namespaced object that names no namespace is placed in NS;
/// cluster-scoped objects (Namespaces, ClusterRoles, CRDs…) are left as they are; an object
/// that names another namespace is refused, as kubectl refuses it, rather than moved.
/// Whether a kind is namespaced is the caller's answer (discovery, or a list when nothing
/// may be asked), so this is tested without a server.
public enum NamespaceDefaulting {
    /// Why an object cannot go where it was asked to.
    public struct Mismatch: Error, Sendable {
        /// 1-based position of the object, as the caller's list counts.
        public let index: Int
        public let message: String
    }

    public static func place<E: Error>(_ objects: [DataValue], in namespace: String,
                                        namespaced: (_ kind: String, _ apiVersion: String?) throws(E) -> Bool) throws -> [DataValue] {
        try objects.enumerated().map { i, object in
            guard case .object(var fields) = object, let kind = object["kind"]?.stringValue else { return object }
            guard try namespaced(kind, object["apiVersion"]?.stringValue) else { return object }
            let name = object["metadata"]?["name"]?.stringValue ?? "?"
            if let own = object["metadata"]?["namespace"]?.stringValue, !own.isEmpty {
                guard own == namespace else {
                    throw Mismatch(index: i + 1, message: "\(kind)/\(name) names namespace '\(own)', not '\(namespace)' (kubectl -n refuses this too): remove its metadata.namespace or apply it without the namespace option")
                }
                return object
            }
            var metadata: [(String, DataValue)] = []
            if let m = fields.firstIndex(where: { $0.0 == "metadata" }), case .object(let existing) = fields[m].1 {
                metadata = existing.filter { $0.0 != "namespace" }
                metadata.append(("namespace", .string(namespace)))
                fields[m].1 = .object(metadata)
            } else {
                fields.append(("metadata", .object([("namespace", .string(namespace))])))
            }
            return .object(fields)
        }
    }
}
