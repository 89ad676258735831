import Foundation
import Testing
import UnideskProcess
import UnideskTestSupport

/// The test's own webhook receiver (scripts/stack/webhook-up in a temp UNIDESK_STACK_DIR),
/// stopped by webhook-down (by its PID).
final class WebhookReceiver {
    let service: StackService
    var url: String { service.url }
    var stackDir: TempDir { service.stackDir }

    init() throws { service = try StackService("webhook", urlVariable: "WEBHOOK_URL") }

    func stop() { service.stop() }

    /// Every request the receiver recorded: method, path, headers (name → value), body.
    func requests() throws -> [(method: String, path: String, headers: [String: String], body: String)] {
        let rows = try String(contentsOfFile: stackDir.path("webhook/requests.jsonl"), encoding: .utf8)
        return try rows.split(separator: "\n").map { line in
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            var hs: [String: String] = [:]
            for pair in o["headers"] as? [[String]] ?? [] where pair.count == 2 { hs[pair[0].lowercased()] = pair[1] }
            return (o["method"] as? String ?? "", o["path"] as? String ?? "", hs, o["body"] as? String ?? "")
        }
    }

    /// Nothing recorded yet (the file appears with the first request).
    var sawNothing: Bool { !FileManager.default.fileExists(atPath: stackDir.path("webhook/requests.jsonl")) }
}

@Suite("HTTP writes through the gate, against the test webhook receiver", .serialized)
struct HTTPWriteTests {
    static let token = "Bearer tok-3f9a7c1e-never-printed"

    static func recipe(_ body: String) -> String {
        "local http = require \"unidesk.http\"\nlocal url = unidesk.vars.url\n" + body
    }

    @Test("a granted POST arrives with its JSON body and headers; the Authorization value never appears in stdout, stderr or the report")
    func postArrives() throws {
        let hook = try WebhookReceiver()
        defer { hook.stop() }
        let r = try RecipeRun(Self.recipe("""
            local resp = http.post(url .. "/hooks/deploy?token=urltok-55aa", { app = "keycloak", event = "rolled back" },
              { headers = { Authorization = "\(Self.token)", ["X-Trace"] = "t-1", ["X-Custom"] = unidesk.secret("custom-secret-4821") } })
            print("status " .. resp.status .. " " .. resp:json().n)
            """))
        defer { r.remove() }
        let result = try r.run("run", ["--var", "url=\(hook.url)", "--allow", "http.post:127.0.0.1:*/hooks/*", "--report", r.report])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout.contains("status 200 1"), "\(result.summary)")
        let seen = try hook.requests()
        #expect(seen.count == 1)
        #expect(seen.first?.method == "POST")
        #expect(seen.first?.path == "/hooks/deploy?token=urltok-55aa")
        #expect(seen.first?.body == #"{"app":"keycloak","event":"rolled back"}"#)
        #expect(seen.first?.headers["authorization"] == Self.token)
        #expect(seen.first?.headers["content-type"] == "application/json")
        #expect(seen.first?.headers["x-trace"] == "t-1")
        #expect(seen.first?.headers["x-custom"] == "custom-secret-4821", "a unidesk.secret header value is sent as it is")
        let report = (try? String(contentsOfFile: r.report, encoding: .utf8)) ?? ""
        #expect(report.contains("http.post:127.0.0.1:"), "the report lists the write")
        for secret in ["tok-3f9a7c1e", "urltok-55aa", "custom-secret-4821"] {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret) && !report.contains(secret), "\(secret) printed: \(result.summary)\n\(report)")
        }
    }

    @Test("without a grant the POST is denied (exit 3) and the receiver sees nothing")
    func deniedWithoutGrant() throws {
        let hook = try WebhookReceiver()
        defer { hook.stop() }
        let r = try RecipeRun(Self.recipe(#"http.post(url .. "/hooks/deploy", "hello")"#))
        defer { r.remove() }
        let result = try r.run("run", ["--var", "url=\(hook.url)", "--allow", "http.put:127.0.0.1:*/hooks/*"])
        #expect(result.exitCode == 3, "\(result.summary)")
        #expect(result.stderr.contains("http.post:127.0.0.1:"), "\(result.summary)")
        #expect(hook.sawNothing)
    }

    @Test("plan mode: the receiver sees nothing; the plan lists the method, the URL (token masked) and the body's digest, unverified")
    func planSendsNothing() throws {
        let hook = try WebhookReceiver()
        defer { hook.stop() }
        let body = #"{"app":"keycloak"}"#
        let r = try RecipeRun(Self.recipe(#"http.request{ method = "put", url = url .. "/releases/keycloak?access_token=plantok-77", body = '\#(body)' }"#))
        defer { r.remove() }
        let result = try r.run("plan", ["--var", "url=\(hook.url)", "--allow", "http.put:127.0.0.1:*/releases/*"])
        #expect(result.exitCode == 0, "\(result.summary)")
        let out = result.stdout + result.stderr
        #expect(out.contains("unverified"), "\(result.summary)")
        #expect(out.contains("PUT \(hook.url)/releases/keycloak?access_token=<secret>"), "\(result.summary)")
        let digest = try #require(Self.sha256(body))
        #expect(out.contains("sha256:\(digest) (\(body.utf8.count) bytes)"), "\(result.summary)")
        #expect(!out.contains("plantok-77"), "\(result.summary)")
        #expect(hook.sawNothing)
    }

    @Test("PUT is retried on 503 with Retry-After and then succeeds")
    func putRetried() throws {
        let hook = try WebhookReceiver()
        defer { hook.stop() }
        let r = try RecipeRun(Self.recipe(#"print("status " .. http.put(url .. "/r?status=503&times=1&retry_after=1", "v2", { retries = 2 }).status)"#))
        defer { r.remove() }
        let result = try r.run("run", ["--var", "url=\(hook.url)", "--allow", "http.put:127.0.0.1:*/r"])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout.contains("status 200"), "\(result.summary)")
        let seen = try hook.requests()
        #expect(seen.map(\.method) == ["PUT", "PUT"])
        #expect(seen.allSatisfy { $0.body == "v2" })
    }

    @Test("POST without an idempotency key is sent once, even on 503 and with retries asked")
    func postNotRetried() throws {
        let hook = try WebhookReceiver()
        defer { hook.stop() }
        let r = try RecipeRun(Self.recipe(#"print("status " .. http.post(url .. "/q?status=503&times=1&retry_after=0", "x", { retries = 3 }).status)"#))
        defer { r.remove() }
        let result = try r.run("run", ["--var", "url=\(hook.url)", "--allow", "http.post:127.0.0.1:*/q"])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout.contains("status 503"), "a 503 is an answer, not an error. \(result.summary)")
        #expect(try hook.requests().count == 1)
    }

    @Test("POST with an idempotency key is retried, with the same Idempotency-Key each time")
    func postWithKeyRetried() throws {
        let hook = try WebhookReceiver()
        defer { hook.stop() }
        let r = try RecipeRun(Self.recipe(#"print("status " .. http.post(url .. "/k?status=429&times=2&retry_after=0", { a = 1 }, { idempotency_key = "deploy-42", retries = 3 }).status)"#))
        defer { r.remove() }
        let result = try r.run("run", ["--var", "url=\(hook.url)", "--allow", "http.post:127.0.0.1:*/k"])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout.contains("status 200"), "\(result.summary)")
        let seen = try hook.requests()
        #expect(seen.count == 3)
        #expect(seen.allSatisfy { $0.headers["idempotency-key"] == "deploy-42" })
    }

    @Test("a saved plan holds no credential; apply sends the approved POST once")
    func savedPlanThenApply() throws {
        let hook = try WebhookReceiver()
        defer { hook.stop() }
        let r = try RecipeRun(Self.recipe(#"http.post(url .. "/hooks/deploy", { app = "keycloak" }, { headers = { ["X-Api-Key"] = "apikey-9c1e-never-saved" } })"#))
        defer { r.remove() }
        let grants = ["--var", "url=\(hook.url)", "--allow", "http.post:127.0.0.1:*/hooks/*"]
        let plan = try r.run("plan", grants + ["--out", r.dir.path("plan.json")])
        #expect(plan.exitCode == 0, "\(plan.summary)")
        #expect(hook.sawNothing)
        let saved = (try? String(contentsOfFile: r.dir.path("plan.json"), encoding: .utf8)) ?? ""
        #expect(saved.contains("http.post:127.0.0.1:"), "\(saved)")
        #expect(!saved.contains("apikey-9c1e"), "\(saved)")
        let apply = try Unidesk.run(["apply", "plan.json", "--state-dir", r.state] + grants, in: r.dir.url)
        #expect(apply.exitCode == 0, "\(apply.summary)")
        #expect(!apply.stdout.contains("apikey-9c1e") && !apply.stderr.contains("apikey-9c1e"), "\(apply.summary)")
        let seen = try hook.requests()
        #expect(seen.count == 1)
        #expect(seen.first?.headers["x-api-key"] == "apikey-9c1e-never-saved")
    }

    @Test("a connection error raises kind=network; the URL's userinfo and token are masked in the error and the report")
    func networkErrorMasked() throws {
        let r = try RecipeRun(Self.recipe(#"""
            local ok, e = pcall(http.post, "http://alice:pw-77zz-secret@127.0.0.1:1/x?token=abcd9999&v=1", "b", { timeout = 2 })
            print("kind " .. e.kind)
            error(e)
            """#))
        defer { r.remove() }
        let result = try r.run("run", ["--allow", "http.post:127.0.0.1:1/*", "--report", r.report])
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(result.stdout.contains("kind network"), "\(result.summary)")
        #expect(result.stderr.contains("?token=<secret>&v=1"), "\(result.summary)")
        let report = (try? String(contentsOfFile: r.report, encoding: .utf8)) ?? ""
        for secret in ["pw-77zz-secret", "abcd9999"] {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret) && !report.contains(secret), "\(secret) printed: \(result.summary)")
        }
    }

    @Test("bad arguments name the primitive and the argument")
    func badArguments() throws {
        let r = try RecipeRun(Self.recipe(#"http.post("ftp://example.com/x", "a")"#))
        defer { r.remove() }
        let result = try r.run("run", [])
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(result.stderr.contains("bad argument #1 to 'unidesk.http.post'"), "\(result.summary)")
    }

    static func sha256(_ s: String) -> String? {
        let r = try? Command.run(["/usr/bin/sha256sum"], environment: ProcessInfo.processInfo.environment, input: Array(s.utf8), timeout: 30)
        return r?.stdoutText.split(separator: " ").first.map(String.init)
    }
}
