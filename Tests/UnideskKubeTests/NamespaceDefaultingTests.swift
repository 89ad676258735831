import Testing
import UnideskData
@testable import UnideskKube

/// kube.apply's `namespace` option, as `kubectl apply -n` places objects (issue 18).
@Suite struct NamespaceDefaultingTests {
    struct NoDiscovery: Error {}
    static func namespaced(_ kind: String, _ apiVersion: String?) throws(NoDiscovery) -> Bool {
        !["Namespace", "ClusterRole", "CustomResourceDefinition"].contains(kind)
    }
    static func object(_ kind: String, _ name: String, namespace: String? = nil) -> DataValue {
        var metadata: [(String, DataValue)] = [("name", .string(name))]
        if let namespace { metadata.append(("namespace", .string(namespace))) }
        return .object([("apiVersion", .string("v1")), ("kind", .string(kind)), ("metadata", .object(metadata))])
    }

    @Test func namespacedObjectsWithoutANamespaceArePlacedClusterScopedOnesAreNot() throws {
        let placed = try NamespaceDefaulting.place([Self.object("ConfigMap", "web"), Self.object("Namespace", "shop"),
                                                    Self.object("Secret", "db", namespace: "shop")],
                                                   in: "shop", namespaced: Self.namespaced)
        #expect(placed[0]["metadata"]?["namespace"] == .string("shop"))
        #expect(placed[0]["metadata"]?["name"] == .string("web"))
        #expect(placed[1]["metadata"]?["namespace"] == nil, "a Namespace is cluster-scoped: \(placed[1])")
        #expect(placed[2] == Self.object("Secret", "db", namespace: "shop"))
    }

    @Test func anObjectNamingAnotherNamespaceIsRefusedNamingIt() throws {
        let error = #expect(throws: NamespaceDefaulting.Mismatch.self) {
            try NamespaceDefaulting.place([Self.object("ConfigMap", "a"), Self.object("ConfigMap", "b", namespace: "prod")],
                                          in: "shop", namespaced: Self.namespaced)
        }
        #expect(error?.index == 2)
        #expect(error?.message.contains("ConfigMap/b names namespace 'prod', not 'shop'") == true)
    }

    @Test func anObjectWithoutMetadataGetsOne() throws {
        let bare: DataValue = .object([("apiVersion", .string("v1")), ("kind", .string("ConfigMap"))])
        let placed = try NamespaceDefaulting.place([bare], in: "shop", namespaced: Self.namespaced)
        #expect(placed[0]["metadata"]?["namespace"] == .string("shop"))
    }
}
