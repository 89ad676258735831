import Foundation
import Testing
import UnideskHTTP
import UnideskTestSupport
@testable import UnideskKube

/// unidesk in a pod, against the stack's real kube-apiserver: a service-account directory
/// laid out as the kubelet mounts it (token, ca.crt, namespace) for the stack's
/// ServiceAccount default/unidesk-sa (edit in default only), KUBERNETES_SERVICE_HOST/PORT
/// naming the apiserver, and a pod's HTTPS_PROXY meant for the internet (a closed port).
@Suite struct InClusterTests {
    let dir = NSTemporaryDirectory() + "unidesk-sa-\(UUID().uuidString.prefix(8))"
    static let stack = StackEnvironment(hint: "start the kube stack (scripts/stack/kube-up; source $UNIDESK_STACK_DIR/kube/env.sh) or run scripts/test")

    func put(_ name: String, _ text: String) throws {
        try text.write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8)
    }

    /// The pod's environment: no kubeconfig, the Service's address, an inherited proxy.
    func environment() throws -> [String: String] {
        let server = try Self.stack.value("UNIDESK_KUBE_SERVER").replacingOccurrences(of: "https://", with: "")
        let hostPort = server.split(separator: ":")
        return ["KUBECONFIG": "", "HOME": "/nonexistent-home",
                "KUBERNETES_SERVICE_HOST": String(hostPort[0]), "KUBERNETES_SERVICE_PORT": String(hostPort[1]),
                "UNIDESK_SERVICEACCOUNT_DIR": dir,
                "HTTPS_PROXY": "http://127.0.0.1:1", "https_proxy": "http://127.0.0.1:1", "ALL_PROXY": "http://127.0.0.1:1", "NO_PROXY": ""]
    }

    @Test func theMountedTokenNamespaceAndCAWorkPastAnInheritedProxyAndTheTokenIsReadAgainWhenItRotates() throws {
        let sa = try Self.stack.value("UNIDESK_KUBE_SA_DIR")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let token = try String(contentsOfFile: "\(sa)/token", encoding: .utf8)
        try FileManager.default.copyItem(atPath: "\(sa)/ca.crt", toPath: "\(dir)/ca.crt")
        try put("token", token)
        try put("namespace", "default\n")

        // The proxy variables point at a closed port: a request that went through them fails.
        let env = try environment()
        let target = try KubeConfig.load(environment: env)
        #expect(target.proxy == nil && target.namespace == "default")
        let client = KubeClient(target: target, transport: HTTPTransport(), environment: env)
        let listed = Result { () throws(KubeError) in try client.list(kind: "ConfigMap", timeout: 20) }
        #expect((try? listed.get()) != nil, "in-cluster list in the mount's namespace failed: \(listed)")

        // A rotated token (bound tokens expire; the kubelet rewrites the file): the next
        // request sends the new one, without a new client.
        try put("token", "not-a-valid-token")
        let stale = Result { () throws(KubeError) in try client.list(kind: "ConfigMap", timeout: 20) }
        guard case .failure(let e) = stale else { Issue.record("a request with a rotated-out token succeeded"); return }
        #expect(e.kind == .unauthorized, "\(e)")
        try put("token", token)
        #expect((try? client.list(kind: "ConfigMap", timeout: 20)) != nil)

        // The namespace comes from the mount: another one there is where requests go (and
        // this account may not list there: forbidden, naming it).
        try put("namespace", "i19-incluster-elsewhere\n")
        let elsewhere = KubeClient(target: try KubeConfig.load(environment: env), transport: HTTPTransport(), environment: env)
        let denied = Result { () throws(KubeError) in try elsewhere.list(kind: "ConfigMap", timeout: 20) }
        guard case .failure(let d) = denied else { Issue.record("listing in another namespace succeeded"); return }
        #expect(d.kind == .forbidden && d.message.contains("i19-incluster-elsewhere"), "\(d)")
    }
}
