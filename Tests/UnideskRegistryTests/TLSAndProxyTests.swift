import Foundation
import Testing
@testable import UnideskHTTP
@testable import UnideskRegistry
import UnideskTestSupport

/// The stack's TLS registry (https://$UNIDESK_REG_TLS, certificate from a private CA in
/// $UNIDESK_TLS_CA) and its forward proxy ($UNIDESK_PROXY, counters at $UNIDESK_PROXY_STATS).
/// Proxy variables are read by libcurl from the *process* environment, so the proxy tests run
/// the `unidesk` binary ($UNIDESK_BIN) as a child with a controlled environment.
@Suite(.serialized) struct TLSAndProxyTests {
    let stack = StackEnvironment.registry

    func client() -> RegistryClient {
        var env = ProcessInfo.processInfo.environment
        env["DOCKER_CONFIG"] = "/nonexistent-docker-config"
        return RegistryClient(transport: HTTPTransport(), config: DockerConfig.load(environment: env))
    }

    // MARK: TLS

    @Test func untrustedCertificateIsATLSError() throws {
        let reg = try stack.value("UNIDESK_REG_TLS")
        #expect(!reg.hasPrefix("127.") && !reg.hasPrefix("localhost"), "the TLS registry must be addressed by a non-loopback name")
        let ref = try ImageReference(parsing: "\(reg)/unidesk/app:v1")
        #expect(!ref.isLoopback)
        var o = RegistryClient.Options()
        o.useEnvironmentProxy = false
        o.timeout = 10
        switch client().head(ref, options: o) {
        case .success(let h):
            Issue.record("HEAD through an untrusted certificate succeeded: status \(h.status)")
        case .failure(let e):
            #expect(e.kind == .tls, "\(e.kind): \(e.message)")
            #expect(e.message.contains(reg) || e.message.contains("registry.unidesk.test"), "the message names the registry: \(e.message)")
        }
    }

    @Test func transportWithTheStackCATrustsTheRegistry() throws {
        let reg = try stack.value("UNIDESK_REG_TLS")
        let ca = try stack.value("UNIDESK_TLS_CA")
        var tls = TLSOptions()
        tls.caFile = ca
        let ok = HTTPTransport().perform(HTTPRequest(method: "HEAD", url: "https://\(reg)/v2/", timeout: 10,
                                                     useEnvironmentProxy: false, tls: tls))
        switch ok {
        case .success(let r): #expect(r.status == 200)
        case .failure(let e): Issue.record("HEAD https://\(reg)/v2/ with caFile=\(ca) failed: \(e.kind) \(e.message)")
        }
        // the manifest as well, with the digest the stack pushed
        let accept = "application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json"
        let m = HTTPTransport().perform(HTTPRequest(method: "HEAD", url: "https://\(reg)/v2/unidesk/app/manifests/v1",
                                                    headers: [("Accept", accept)], timeout: 10,
                                                    useEnvironmentProxy: false, tls: tls))
        let v1 = try stack.value("UNIDESK_DIGEST_APP_V1")
        switch m {
        case .success(let r):
            #expect(r.status == 200)
            #expect(r.header("docker-content-digest") == v1)
        case .failure(let e): Issue.record("manifest HEAD failed: \(e.kind) \(e.message)")
        }
        // the same CA as data; and without it, verification fails
        tls.caFile = nil
        tls.caPEM = Array(try Data(contentsOf: URL(fileURLWithPath: ca)))
        if case .failure(let e) = HTTPTransport().perform(HTTPRequest(method: "HEAD", url: "https://\(reg)/v2/", timeout: 10,
                                                                       useEnvironmentProxy: false, tls: tls)) {
            Issue.record("caPEM: \(e.kind) \(e.message)")
        }
        let untrusted = HTTPTransport().perform(HTTPRequest(method: "HEAD", url: "https://\(reg)/v2/", timeout: 10,
                                                            useEnvironmentProxy: false))
        guard case .failure(let e) = untrusted else { Issue.record("no CA configured, yet verification passed"); return }
        #expect(e.kind == .tls, "\(e.kind): \(e.message)")
    }

    // MARK: proxy (through the unidesk binary)

    func proxyCount() throws -> Int {
        let url = try stack.value("UNIDESK_PROXY_STATS")
        let r = try HTTPTransport().perform(HTTPRequest(url: url, timeout: 5, useEnvironmentProxy: false)).get()
        #expect(r.status == 200)
        let obj = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]
        guard let n = obj?["requests"] as? Int else {
            Issue.record("no 'requests' count in \(r.bodyText)")
            throw StackMissing(description: "no 'requests' count from the proxy")
        }
        return n
    }

    func unideskBinary() throws -> String {
        try stack.executable("UNIDESK_BIN")
    }

    /// Runs `unidesk run recipe.lua` with the proxy variables set as given (all proxy variables
    /// of this process removed first); returns exit code and output.
    func runRecipe(_ source: String, proxyEnv: [String: String]) throws -> (code: Int32, output: String) {
        let bin = try unideskBinary()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("unidesk-proxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try source.write(to: dir.appendingPathComponent("recipe.lua"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.txt")
        #expect(FileManager.default.createFile(atPath: out.path, contents: nil), "cannot create \(out.path)")
        let handle = try FileHandle(forWritingTo: out)
        defer { try? handle.close() }

        var env = ProcessInfo.processInfo.environment
        for k in ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"] {
            env.removeValue(forKey: k)
        }
        env.removeValue(forKey: "UNIDESK_STATE_DIR")
        env["NO_COLOR"] = "1"
        env["DOCKER_CONFIG"] = "/nonexistent-docker-config"
        for (k, v) in proxyEnv { env[k] = v }

        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = ["run", "recipe.lua", "--state-dir", dir.appendingPathComponent("state").path]
        p.environment = env
        p.currentDirectoryURL = dir
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = handle
        p.standardError = handle
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        try p.run()
        if done.wait(timeout: .now() + 60) == .timedOut {
            kill(p.processIdentifier, SIGKILL)
            done.wait()
            Issue.record("unidesk run did not finish within 60 s")
        }
        return (p.terminationStatus, String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self))
    }

    func recipe(_ lua: String) throws -> String {
        let anon = try stack.value("UNIDESK_REG_ANON")
        let v1 = try stack.value("UNIDESK_DIGEST_APP_V1")
        return """
        local http = require("unidesk.http")
        local registry = require("unidesk.registry")
        local anon, want = "\(anon)", "\(v1)"
        \(lua)
        """
    }

    /// The GET and HEAD the proxy cases make; `opts` is a Lua table literal.
    func calls(_ opts: String) -> String {
        """
        local r = http.get("http://" .. anon .. "/v2/", \(opts))
        assert(r.status == 200, "GET /v2/ status " .. tostring(r.status))
        local h = registry.head(anon .. "/unidesk/app:v1", \(opts))
        assert(h.exists and h.digest == want, "registry.head: " .. tostring(h.digest))
        print("PROXY-CASE-OK")
        """
    }

    @Test func environmentProxyIsUsedForLoopbackToo() throws {
        let proxy = try stack.value("UNIDESK_PROXY")
        let before = try proxyCount()
        // libcurl reads only the lower-case http_proxy for http:// (HTTP_PROXY is ignored, httpoxy);
        // both are set here, as a user's shell would.
        let r = try runRecipe(try recipe(calls("{}")), proxyEnv: ["http_proxy": proxy, "HTTP_PROXY": proxy])
        #expect(r.code == 0 && r.output.contains("PROXY-CASE-OK"), "exit \(r.code): \(r.output)")
        let after = try proxyCount()
        // GET /v2/ + registry HEAD (the anonymous registry answers HEAD directly): at least 2
        #expect(after - before >= 2, "proxy count \(before) -> \(after): libcurl did not use http_proxy for a loopback URL")
    }

    @Test func proxyFalseBypassesTheEnvironmentProxy() throws {
        let proxy = try stack.value("UNIDESK_PROXY")
        let before = try proxyCount()
        let r = try runRecipe(try recipe(calls("{proxy = false}")), proxyEnv: ["http_proxy": proxy, "HTTP_PROXY": proxy])
        #expect(r.code == 0 && r.output.contains("PROXY-CASE-OK"), "exit \(r.code): \(r.output)")
        #expect(try proxyCount() == before, "{proxy=false} still went through the proxy")
    }

    @Test func noProxyExemptsTheRegistry() throws {
        let proxy = try stack.value("UNIDESK_PROXY")
        let before = try proxyCount()
        let r = try runRecipe(try recipe(calls("{}")), proxyEnv: ["http_proxy": proxy, "HTTP_PROXY": proxy,
                                                                   "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"])
        #expect(r.code == 0 && r.output.contains("PROXY-CASE-OK"), "exit \(r.code): \(r.output)")
        #expect(try proxyCount() == before, "NO_PROXY=127.0.0.1 did not exempt the loopback registry")
    }

    @Test func httpsProxyTunnelsToTheTLSRegistry() throws {
        // https:// goes through HTTPS_PROXY as a CONNECT tunnel; the registry's certificate is
        // still verified end to end, so (untrusted CA) the answer is kind=tls, after the CONNECT.
        let proxy = try stack.value("UNIDESK_PROXY")
        let reg = try stack.value("UNIDESK_REG_TLS")
        let before = try proxyCount()
        let lua = """
        local ok, err = pcall(registry.head, "\(reg)/unidesk/app:v1", {timeout = 10})
        assert(not ok, "an untrusted certificate was accepted through the proxy")
        print("KIND=" .. tostring(type(err) == "table" and err.kind or err))
        """
        let r = try runRecipe(try recipe(lua), proxyEnv: ["https_proxy": proxy, "HTTPS_PROXY": proxy])
        #expect(r.code == 0 && r.output.contains("KIND=tls"), "exit \(r.code): \(r.output)")
        #expect(try proxyCount() > before, "HTTPS_PROXY was not used for https://\(reg)")
    }
}
