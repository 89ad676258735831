import Foundation
import Testing
@testable import UnideskHTTP
@testable import UnideskRegistry
import UnideskTestSupport

@Suite(.serialized) struct RegistryClientTests {
    let stack = StackEnvironment.registry

    func client(dockerConfig: String? = nil, path: String? = nil) -> RegistryClient {
        var env = ProcessInfo.processInfo.environment
        env["DOCKER_CONFIG"] = dockerConfig ?? "/nonexistent-docker-config"
        if let path { env["PATH"] = path + ":" + (env["PATH"] ?? "") }
        return RegistryClient(transport: HTTPTransport(), config: DockerConfig.load(environment: env))
    }

    func head(_ c: RegistryClient, _ ref: String) throws -> Result<ManifestHead, RegistryError> {
        c.head(try ImageReference(parsing: ref))
    }

    @Test func presentTagHasTheRegistryDigest() throws {
        let reg = try stack.value("UNIDESK_REG_ANON")
        let h = try head(client(), "\(reg)/unidesk/app:v1").get()
        #expect(h.exists)
        #expect(h.digest == (try stack.value("UNIDESK_DIGEST_APP_V1")))
        #expect(h.mediaType?.contains("manifest") == true)
    }

    @Test func missingTagAndRepositoryAreAnswers() throws {
        let reg = try stack.value("UNIDESK_REG_ANON")
        let tag = try head(client(), "\(reg)/unidesk/app:never-published").get()
        #expect(!tag.exists && tag.status == 404)
        let repo = try head(client(), "\(reg)/unidesk/no-such-repo:v1").get()
        #expect(!repo.exists && repo.status == 404)
    }

    @Test func digestReferenceAndIndex() throws {
        let reg = try stack.value("UNIDESK_REG_ANON")
        let v1 = try stack.value("UNIDESK_DIGEST_APP_V1")
        let pinned = try head(client(), "\(reg)/unidesk/app@\(v1)").get()
        #expect(pinned.exists && pinned.digest == v1)
        let index = try head(client(), "\(reg)/unidesk/multi:v1").get()
        #expect(index.digest == (try stack.value("UNIDESK_DIGEST_MULTI_V1")))
        #expect(index.mediaType == "application/vnd.oci.image.index.v1+json")
        let docker = try head(client(), "\(reg)/unidesk/docker:v1").get()
        #expect(docker.mediaType == "application/vnd.docker.distribution.manifest.v2+json")
        #expect(docker.digest == (try stack.value("UNIDESK_DIGEST_DOCKER_V1")))
    }

    @Test func basicAuthFromDockerConfigAndWrongPassword() throws {
        let reg = try stack.value("UNIDESK_REG_BASIC")
        let anonymous = try head(client(), "\(reg)/unidesk/app:v1")
        guard case .failure(let e) = anonymous else { Issue.record("anonymous access to the basic-auth registry succeeded"); return }
        #expect(e.kind == .unauthorized)
        let ok = try head(client(dockerConfig: try stack.value("UNIDESK_DOCKER_CONFIG")), "\(reg)/unidesk/app:v1").get()
        let v1 = try stack.value("UNIDESK_DIGEST_APP_V1")
        #expect(ok.exists && ok.digest == v1)

        let wrong = FileManager.default.temporaryDirectory.appendingPathComponent("wrong-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: wrong, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: wrong) }
        let auth = Data("unidesk:not-the-password".utf8).base64EncodedString()
        try #"{"auths":{"\#(reg)":{"auth":"\#(auth)"}}}"#.write(to: wrong.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        guard case .failure(let w) = try head(client(dockerConfig: wrong.path), "\(reg)/unidesk/app:v1") else {
            Issue.record("a wrong password was accepted"); return
        }
        #expect(w.kind == .unauthorized)
        #expect(!w.message.contains("not-the-password"), "the message must not carry the credential")
    }

    @Test func credentialHelper() throws {
        let reg = try stack.value("UNIDESK_REG_BASIC")
        let c = client(dockerConfig: try stack.value("UNIDESK_DOCKER_CONFIG_HELPER"), path: try stack.value("UNIDESK_REG_BIN"))
        let h = try head(c, "\(reg)/unidesk/app:v2").get()
        let v2 = try stack.value("UNIDESK_DIGEST_APP_V2")
        #expect(h.exists && h.digest == v2)
    }

    @Test func bearerTokenFlowCachesTokensPerScope() throws {
        let reg = try stack.value("UNIDESK_REG_TOKEN")
        let c = client(dockerConfig: try stack.value("UNIDESK_DOCKER_CONFIG"))
        let a = try head(c, "\(reg)/unidesk/app:v1").get()
        let b = try head(c, "\(reg)/unidesk/app:v2").get()
        #expect(a.exists && b.exists)
        #expect(c.tokensFetched == 1, "the second HEAD of the same repository reuses the token")
        guard case .failure(let e) = try head(client(), "\(reg)/unidesk/app:v1") else {
            Issue.record("the token registry answered without credentials"); return
        }
        #expect(e.kind == .unauthorized)
    }

    @Test func errorPathsOfAMisbehavingRegistry() throws {
        let bad = try stack.value("UNIDESK_BAD_REG")
        guard case .failure(let rl) = try head(client(), "\(bad)/ratelimited:x") else { Issue.record("429 not an error"); return }
        #expect(rl.kind == .rateLimited)
        #expect(rl.rateLimit.contains { $0.0 == "ratelimit-remaining" && $0.1 == "0" })
        guard case .failure(let broken) = try head(client(), "\(bad)/broken:x") else { Issue.record("503 not an error"); return }
        #expect(broken.kind == .network && broken.status == 503)
        let nohead = try head(client(), "\(bad)/nohead:x").get()
        #expect(nohead.exists && nohead.digest?.hasPrefix("sha256:") == true, "GET fallback computes the digest")
        let nodigest = try head(client(), "\(bad)/nodigest:x").get()
        #expect(nodigest.digest?.hasPrefix("sha256:") == true)
        guard case .failure(let malformed) = try head(client(), "\(bad)/malformed:x") else { Issue.record("malformed reply accepted"); return }
        #expect(malformed.kind == .protocolError || malformed.kind == .network)
    }

    @Test func stallTimesOutAndRefusedConnectionIsNetwork() throws {
        let bad = try stack.value("UNIDESK_BAD_REG")
        var o = RegistryClient.Options()
        o.timeout = 1
        let started = Date()
        guard case .failure(let stall) = client().head(try ImageReference(parsing: "\(bad)/stall:x"), options: o) else {
            Issue.record("a stalled registry answered"); return
        }
        #expect(stall.kind == .timeout)
        #expect(Date().timeIntervalSince(started) < 5)
        guard case .failure(let refused) = try head(client(), "127.0.0.1:9/unidesk/app:v1") else { Issue.record("port 9 answered"); return }
        #expect(refused.kind == .network)
        #expect(refused.message.contains("127.0.0.1:9"))
    }

    @Test func headManyKeepsOrderAndIsolatesFailures() throws {
        let reg = try stack.value("UNIDESK_REG_ANON")
        let bad = try stack.value("UNIDESK_BAD_REG")
        let refs = try ["\(reg)/unidesk/app:v1", "\(bad)/broken:x", "\(reg)/unidesk/app:nope", "\(reg)/unidesk/app:v2"].map { try ImageReference(parsing: $0) }
        let r = client().headMany(refs)
        #expect(r.count == 4)
        #expect((try? r[0].get())?.digest == (try stack.value("UNIDESK_DIGEST_APP_V1")))
        if case .failure(let e) = r[1] { #expect(e.status == 503) } else { Issue.record("503 item succeeded") }
        #expect((try? r[2].get())?.exists == false)
        #expect((try? r[3].get())?.digest == (try stack.value("UNIDESK_DIGEST_APP_V2")))
    }

    @Test func registryCAFromCertsDirectoryIsTrusted() throws {
        let reg = try stack.value("UNIDESK_REG_TLS")
        let ca = try stack.value("UNIDESK_TLS_CA")
        let certs = FileManager.default.temporaryDirectory.appendingPathComponent("certs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: certs) }
        try FileManager.default.createDirectory(at: certs.appendingPathComponent(reg), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ca, toPath: certs.appendingPathComponent(reg).appendingPathComponent("ca.crt").path)
        var env = ProcessInfo.processInfo.environment
        env["DOCKER_CONFIG"] = "/nonexistent-docker-config"
        env["UNIDESK_REGISTRY_CERTS_D"] = certs.path
        var o = RegistryClient.Options()
        o.useEnvironmentProxy = false
        let c = RegistryClient(transport: HTTPTransport(), config: DockerConfig.load(environment: env))
        let h = try c.head(try ImageReference(parsing: "\(reg)/unidesk/app:v1"), options: o).get()
        #expect(h.exists)
        #expect(h.digest == (try stack.value("UNIDESK_DIGEST_APP_V1")))
    }

    @Test func insecureAllowsPlainHTTPToANonLoopbackName() throws {
        // The anonymous registry speaks plain HTTP; under the stack's non-loopback name the
        // client insists on HTTPS unless told the registry is insecure.
        let tlsName = try stack.value("UNIDESK_REG_TLS").split(separator: ":")[0]
        let port = try stack.value("UNIDESK_REG_ANON").split(separator: ":")[1]
        let ref = try ImageReference(parsing: "\(tlsName):\(port)/unidesk/app:v1")
        var o = RegistryClient.Options()
        o.useEnvironmentProxy = false
        guard case .failure(let strict) = client().head(ref, options: o) else {
            Issue.record("plain HTTP was used for a non-loopback registry without insecure"); return
        }
        #expect(strict.kind == .tls || strict.kind == .protocolError || strict.kind == .network)
        o.insecureRegistries = [ref.registry]
        let h = try client().head(ref, options: o).get()
        let v1 = try stack.value("UNIDESK_DIGEST_APP_V1")
        #expect(h.exists && h.digest == v1)
    }

    @Test func http2IsNegotiatedOverTLS() throws {
        let reg = try stack.value("UNIDESK_REG_TLS")
        var tls = TLSOptions()
        tls.caFile = try stack.value("UNIDESK_TLS_CA")
        let reqs = (0..<8).map { _ in
            HTTPRequest(method: "HEAD", url: "https://\(reg)/v2/unidesk/app/manifests/v1",
                        headers: [("Accept", "application/vnd.oci.image.manifest.v1+json")],
                        useEnvironmentProxy: false, tls: tls)
        }
        let results = HTTPTransport().performAll(reqs, maxConcurrent: 8)
        for r in results {
            let resp = try r.get()
            #expect(resp.status == 200)
            #expect(resp.httpVersion == "2", "the registry offers h2 over TLS; got HTTP/\(resp.httpVersion)")
        }
    }

    @Test func forbiddenIsDeniedAndARefusingServerEnds() throws {
        let bad = try stack.value("UNIDESK_BAD_REG")
        guard case .failure(let denied) = try head(client(), "\(bad)/forbidden:x") else { Issue.record("403 was not an error"); return }
        #expect(denied.kind == .denied && denied.status == 403)
        // 405 to HEAD, then to GET as well: a final answer, not a retry loop.
        guard case .failure(let refused) = try head(client(), "\(bad)/refuseall:x") else { Issue.record("405 to GET was accepted"); return }
        #expect(refused.kind == .protocolError && refused.status == 405)
    }

    @Test func credsStoreHelper() throws {
        let reg = try stack.value("UNIDESK_REG_BASIC")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"credsStore":"unidesk-test"}"#.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let h = try head(client(dockerConfig: dir.path, path: try stack.value("UNIDESK_REG_BIN")), "\(reg)/unidesk/app:v1").get()
        let v1 = try stack.value("UNIDESK_DIGEST_APP_V1")
        #expect(h.exists && h.digest == v1)
    }
}
