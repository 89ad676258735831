import Foundation
import Testing
import UnideskTestSupport
@testable import UnideskKube

/// Kubeconfig resolution as kubectl does it: merging, contexts, relative paths, inline
/// data, exec plugins, in-cluster.
@Suite struct KubeConfigTests {
    let dir = NSTemporaryDirectory() + "unidesk-kubeconfig-\(UUID().uuidString.prefix(8))"

    func write(_ name: String, _ text: String) throws -> String {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let p = "\(dir)/\(name)"
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    let first = """
        apiVersion: v1
        kind: Config
        current-context: alpha
        clusters:
        - name: c1
          cluster: { server: "https://10.0.0.1:6443", certificate-authority: certs/ca.crt }
        users:
        - name: u1
          user: { token: tok-alpha-123 }
        contexts:
        - name: alpha
          context: { cluster: c1, user: u1, namespace: shop }
        """
    let second = """
        apiVersion: v1
        kind: Config
        current-context: beta
        clusters:
        - name: c1
          cluster: { server: "https://shadowed.example:6443" }
        - name: c2
          cluster: { server: "https://10.0.0.2:6443/", insecure-skip-tls-verify: true, proxy-url: "http://proxy:3128" }
        users:
        - name: u2
          user: { client-certificate: client.crt, client-key: client.key }
        - name: u3
          user:
            exec: { command: ./get-token, args: [--cluster, c2], env: [{ name: MODE, value: ci }] }
        contexts:
        - name: beta
          context: { cluster: c2, user: u2 }
        - name: gamma
          context: { cluster: c2, user: u3 }
        """

    @Test func mergedFilesFirstDefinitionWinsAndCurrentContextComesFromTheFirst() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try write("a.yaml", first), b = try write("b.yaml", second)
        let t = try KubeConfig.load(environment: ["KUBECONFIG": "\(a):\(b)"])
        #expect(t.server == "https://10.0.0.1:6443", "c1 comes from the first file, not the shadowing second")
        #expect(t.tls.caFile == "\(dir)/certs/ca.crt", "relative paths resolve against the kubeconfig's directory")
        #expect(t.namespace == "shop")
        guard case .token(let tok) = t.credential else { Issue.record("token expected"); return }
        #expect(tok == "tok-alpha-123" && t.secrets.contains("tok-alpha-123"))
        #expect(t.proxy == nil)
    }

    @Test func namedContextsCertificatesInsecureAndProxy() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try write("a.yaml", first), b = try write("b.yaml", second)
        let beta = try KubeConfig.load(environment: ["KUBECONFIG": "\(a):\(b)"], context: "beta")
        #expect(beta.server == "https://10.0.0.2:6443", "trailing slash dropped")
        #expect(beta.tls.verify == false && beta.proxy == "http://proxy:3128" && beta.namespace == "default")
        #expect(beta.tls.clientCertFile == "\(dir)/client.crt" && beta.tls.clientKeyFile == "\(dir)/client.key")
        let gamma = try KubeConfig.load(environment: ["KUBECONFIG": b], context: "gamma")
        guard case .exec(let plugin) = gamma.credential else { Issue.record("exec expected"); return }
        #expect(plugin.command == "./get-token" && plugin.args == ["--cluster", "c2"] && plugin.directory == dir)
        #expect(plugin.env.first?.0 == "MODE" && plugin.env.first?.1 == "ci")
    }

    @Test func inlineDataIsDecoded() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ca = Data("-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n".utf8).base64EncodedString()
        let key = Data("KEYDATA".utf8).base64EncodedString()
        let p = try write("inline.yaml", """
            current-context: x
            clusters: [{ name: c, cluster: { server: "https://h:1", certificate-authority-data: "\(ca)" } }]
            users: [{ name: u, user: { client-certificate-data: "\(ca)", client-key-data: "\(key)" } }]
            contexts: [{ name: x, context: { cluster: c, user: u } }]
            """)
        let t = try KubeConfig.load(environment: ["KUBECONFIG": p])
        #expect(t.tls.caPEM.map { String(decoding: $0, as: UTF8.self) }?.contains("BEGIN CERTIFICATE") == true)
        #expect(t.tls.clientKeyPEM == Array("KEYDATA".utf8))
        #expect(t.secrets.contains(key), "the key data is registered for redaction")
    }

    @Test func errorsNameWhatIsMissing() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try write("a.yaml", first)
        let missingContext = thrownError(KubeError.self) { try KubeConfig.load(environment: ["KUBECONFIG": a], context: "nope") }
        #expect(missingContext?.kind == .config)
        #expect(missingContext?.message.contains("context 'nope' is not in") == true && missingContext?.message.contains("alpha") == true)
        let missingFile = thrownError(KubeError.self) { try KubeConfig.load(environment: ["KUBECONFIG": "/nonexistent/kubeconfig"]) }
        #expect(missingFile?.message.contains("KUBECONFIG names no file that exists") == true)
        let noConfig = thrownError(KubeError.self) { try KubeConfig.load(environment: ["HOME": "/nonexistent-home"]) }
        #expect(noConfig?.message.contains("no kubeconfig") == true)
    }

    @Test func inClusterServiceAccount() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try write("token", "sa-token\n")
        _ = try write("ca.crt", "x")
        _ = try write("namespace", "prod\n")
        let t = try KubeConfig.load(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443",
                                                  "UNIDESK_SERVICEACCOUNT_DIR": dir, "HOME": "/nonexistent-home"])
        #expect(t.server == "https://10.96.0.1:443" && t.namespace == "prod" && t.tls.caFile == "\(dir)/ca.crt")
        guard case .tokenFile(let f) = t.credential else { Issue.record("token file expected"); return }
        #expect(f == "\(dir)/token")
    }
}
