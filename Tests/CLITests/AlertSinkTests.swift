import Foundation
import Testing
import UnideskTestSupport

/// The test's own Alertmanager (scripts/stack/alertmanager-up: 0.25 from Debian, on a free
/// port), stopped by alertmanager-down (by its PID).
final class AlertmanagerServer {
    let service: StackService
    var url: String { service.url }

    /// `port`: start on this one (to bring back one that was stopped).
    init(port: Int? = nil) throws {
        service = try StackService("alertmanager", urlVariable: "ALERTMANAGER_URL",
                                   environment: port.map { ["UNIDESK_ALERTMANAGER_PORT": String($0)] } ?? [:])
    }

    func stop() { service.stop() }

    /// Alertmanager's own list of alerts (active ones; a resolved alert is gone from it).
    func alerts() throws -> [[String: Any]] {
        try service.getJSON("/api/v2/alerts") as? [[String: Any]] ?? []
    }

    func labels(_ a: [String: Any]) -> [String: String] { a["labels"] as? [String: String] ?? [:] }
}

@Suite("Alert sinks: Alertmanager, webhook and Slack bodies, undelivered alerts kept and delivered later", .serialized)
struct AlertSinkTests {
    static let grants = ["--allow", "state.set:alerts/*"]

    static let raise = """
        local alert = require "unidesk.alert"
        local r = alert.raise{ kind = "rolled_back", app = "shop", severity = "critical", attempted = "2.0.0", last_good = "1.4.2",
          recovered = true, notes = "health check failed" }
        print("raised " .. r.id .. " delivered " .. table.concat(r.delivered or {}, ",") .. " undelivered " .. tostring(r.undelivered ~= nil))
        """

    @Test("an alert raised by a recipe is in Alertmanager's API with its labels and annotations; alert.resolve ends it")
    func alertmanagerRaiseAndResolve() throws {
        let am = try AlertmanagerServer()
        defer { am.stop() }
        let r = try RecipeRun(Self.raise)
        defer { r.remove() }
        let raised = try r.run("run", Self.grants + ["--alert-sink", "alertmanager=\(am.url)", "--report", r.report])
        #expect(raised.exitCode == 0, "\(raised.summary)")
        #expect(raised.stdout.contains("delivered alertmanager undelivered false"), "\(raised.summary)")
        #expect(raised.stderr.contains("[write] http.post:127.0.0.1:\(am.service.port)/api/v2/alerts"), "\(raised.summary)")
        let alerts = try am.alerts()
        #expect(alerts.count == 1)
        let a = try #require(alerts.first)
        #expect(am.labels(a) == ["alertname": "unidesk_rolled_back", "app": "shop", "kind": "rolled_back", "severity": "critical", "source": "unidesk"])
        let annotations = a["annotations"] as? [String: String] ?? [:]
        #expect(annotations["attempted"] == "2.0.0")
        #expect(annotations["last_good"] == "1.4.2")
        #expect(annotations["recovered"] == "true")
        #expect(annotations["notes"] == "health check failed")
        #expect(annotations["summary"] == "shop: rolled_back (attempted 2.0.0, last good 1.4.2, recovered): health check failed")
        #expect((a["status"] as? [String: Any])?["state"] as? String == "active")
        // The delivery is in the report's audit as a performed http.post.
        let performed = (r.reportJSON?["effects"] as? [String: Any])?["performed"] as? [[String: Any]] ?? []
        #expect(performed.contains { ($0["capability"] as? String ?? "").hasPrefix("http.post:127.0.0.1:\(am.service.port)/api/v2/alerts") })

        try r.dir.write("resolve.lua", #"local r = require("unidesk.alert").resolve{ app = "shop", kind = "rolled_back" } print("resolved " .. #r)"#)
        let resolved = try Unidesk.run(["run", "resolve.lua", "--state-dir", r.state, "--alert-sink", "alertmanager=\(am.url)"] + Self.grants, in: r.dir.url)
        #expect(resolved.exitCode == 0, "\(resolved.summary)")
        #expect(resolved.stdout.contains("resolved 1"), "\(resolved.summary)")
        #expect(try am.alerts().isEmpty, "a resolved alert is no longer listed")
        // Resolving again finds nothing firing and sends nothing.
        let again = try Unidesk.run(["run", "resolve.lua", "--state-dir", r.state, "--alert-sink", "alertmanager=\(am.url)"] + Self.grants, in: r.dir.url)
        #expect(again.stdout.contains("resolved 0"), "\(again.summary)")
        #expect(!again.stderr.contains("http.post"), "\(again.summary)")
    }

    @Test("Alertmanager down: the recipe goes on (exit 0), the alert is kept undelivered, and the next run that lists alerts delivers it")
    func undeliveredThenDelivered() throws {
        var am = try AlertmanagerServer()
        let port = am.service.port
        let url = am.url
        am.stop()
        let r = try RecipeRun(Self.raise + "\nprint(\"after the alert\")")
        defer { r.remove() }
        let down = try r.run("run", Self.grants + ["--alert-sink", "alertmanager=\(url)", "--report", r.report])
        #expect(down.exitCode == 0, "\(down.summary)")
        #expect(down.stdout.contains("undelivered true"), "\(down.summary)")
        #expect(down.stdout.contains("after the alert"), "\(down.summary)")
        #expect(down.stderr.contains("not delivered to alertmanager"), "\(down.summary)")
        #expect(down.stderr.contains("the next run that raises or lists alerts delivers it"), "\(down.summary)")
        // Kept: the record names the sink it missed, and the app's outbox names the record.
        let box = try String(contentsOfFile: r.dir.path("state/state/alerts/shop.json"), encoding: .utf8)
        #expect(box.contains("alerts/shop/"), "\(box)")
        let outputs = r.reportJSON?["outputs"] as? [String: Any]
        let reported = (outputs?["alerts"] as? [[String: Any]])?.first
        #expect((reported?["undelivered"] as? [String: Any])?["alertmanager"] != nil, "\(String(describing: outputs))")

        am = try AlertmanagerServer(port: port)
        defer { am.stop() }
        #expect(try am.alerts().isEmpty)
        try r.dir.write("list.lua", #"local l = require("unidesk.alert").list("shop") print("listed " .. #l .. " undelivered " .. tostring(l[1].undelivered ~= nil))"#)
        let later = try Unidesk.run(["run", "list.lua", "--state-dir", r.state, "--alert-sink", "alertmanager=\(am.url)"] + Self.grants, in: r.dir.url)
        #expect(later.exitCode == 0, "\(later.summary)")
        #expect(later.stdout.contains("listed 1 undelivered false"), "\(later.summary)")
        let alerts = try am.alerts()
        #expect(alerts.count == 1)
        #expect(alerts.first.map(am.labels)?["app"] == "shop")
        // The outbox is empty now: a third run sends nothing.
        let third = try Unidesk.run(["run", "list.lua", "--state-dir", r.state, "--alert-sink", "alertmanager=\(am.url)"] + Self.grants, in: r.dir.url)
        #expect(third.exitCode == 0, "\(third.summary)")
        #expect(!third.stderr.contains("http.post"), "\(third.summary)")
    }

    @Test("required = true: an undelivered alert fails the run (kind undelivered) and is kept all the same")
    func requiredDelivery() throws {
        let r = try RecipeRun(#"""
            local alert = require "unidesk.alert"
            local ok, err = pcall(alert.raise, { kind = "held", app = "shop", required = true })
            print("kind " .. tostring(err.kind) .. " sink " .. tostring(err.undelivered and next(err.undelivered)))
            error(err, 0)
            """#)
        defer { r.remove() }
        let result = try r.run("run", Self.grants + ["--alert-sink", "webhook=http://127.0.0.1:9/hook"])
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(result.stdout.contains("kind undelivered sink webhook"), "\(result.summary)")
        #expect(result.stderr.contains("was not delivered to webhook"), "\(result.summary)")
        #expect(r.stateFiles.contains("state/alerts/shop.json"), "\(r.stateFiles)")
    }

    @Test("the webhook gets the documented JSON with an Idempotency-Key; Slack gets a text line; a URL from url_env never appears in any output")
    func webhookAndSlackBodies() throws {
        let hook = try WebhookReceiver()
        defer { hook.stop() }
        let r = try RecipeRun(Self.raise + "\nrequire(\"unidesk.alert\").resolve{ app = \"shop\" }")
        defer { r.remove() }
        let slackPath = "/services/T0001/B0002/slackkey-6d1f0e"
        try r.dir.write("policy.yaml", """
            allow: ["state.set:alerts/*"]
            alerts:
              sinks:
                - type: webhook
                  url: \(hook.url)/hooks/unidesk
                  labels: { env: prod }
                  header_env: { Authorization: HOOK_AUTH }
                - type: slack
                  url_env: SLACK_URL
            """)
        let env = ["HOOK_AUTH": "Bearer hookauth-31c9", "SLACK_URL": hook.url + slackPath]
        let result = try Unidesk.run(["run", "recipe.lua", "--state-dir", r.state, "--policy", "policy.yaml", "--report", r.report, "--junit", r.junit],
                                     in: r.dir.url, environment: env)
        #expect(result.exitCode == 0, "\(result.summary)")
        let seen = try hook.requests()
        #expect(seen.map(\.path) == ["/hooks/unidesk", slackPath, "/hooks/unidesk", slackPath])
        let firing = try #require(seen.first)
        #expect(firing.method == "POST")
        #expect(firing.headers["authorization"] == "Bearer hookauth-31c9")
        #expect(firing.headers["content-type"] == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(firing.body.utf8)) as? [String: Any])
        #expect(body["version"] as? String == "1")
        #expect(body["source"] as? String == "unidesk")
        #expect(body["status"] as? String == "firing")
        #expect(body["labels"] as? [String: String] == ["env": "prod"])
        let alert = try #require(body["alert"] as? [String: Any])
        #expect(alert["app"] as? String == "shop")
        #expect(alert["kind"] as? String == "rolled_back")
        #expect(alert["severity"] as? String == "critical")
        #expect(alert["attempted"] as? String == "2.0.0")
        #expect(alert["last_good"] as? String == "1.4.2")
        #expect(alert["recovered"] as? Bool == true)
        #expect(alert["raised_at"] is String)
        let id = try #require(alert["id"] as? String)
        #expect(firing.headers["idempotency-key"] == "\(id):firing")
        let resolvedBody = try #require(try JSONSerialization.jsonObject(with: Data(seen[2].body.utf8)) as? [String: Any])
        #expect(resolvedBody["status"] as? String == "resolved")
        #expect((resolvedBody["alert"] as? [String: Any])?["resolved_at"] is String)
        #expect(seen[2].headers["idempotency-key"] == "\(id):resolved")
        let slack = try #require(try JSONSerialization.jsonObject(with: Data(seen[1].body.utf8)) as? [String: String])
        #expect(slack == ["text": ":rotating_light: unidesk CRITICAL shop: rolled_back (attempted 2.0.0, last good 1.4.2, recovered): health check failed"])
        #expect((try JSONSerialization.jsonObject(with: Data(seen[3].body.utf8)) as? [String: String])?["text"]?.hasPrefix(":white_check_mark: unidesk RESOLVED shop") == true)
        // The Slack URL's key and the webhook's credential are in no output.
        let files = [r.report, r.junit] + r.stateFiles.map { r.dir.path("state/\($0)") }
        let texts = [result.stdout, result.stderr] + files.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
        for secret in ["slackkey-6d1f0e", "hookauth-31c9"] {
            #expect(!texts.contains { $0.contains(secret) }, "\(secret) leaked")
        }
    }

    @Test("plan mode: nothing is sent; the plan lists each delivery, unverified")
    func planSendsNothing() throws {
        let hook = try WebhookReceiver()
        defer { hook.stop() }
        let r = try RecipeRun(Self.raise)
        defer { r.remove() }
        let result = try r.run("plan", Self.grants + ["--alert-sink", "webhook=\(hook.url)/hooks/unidesk", "--report", r.report])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(hook.sawNothing)
        #expect(result.stderr.contains("unverified http.post:127.0.0.1:\(hook.service.port)/hooks/unidesk: not sent (plan mode): alert shop/rolled_back (firing) to sink webhook"), "\(result.summary)")
        #expect(r.stateFiles.isEmpty, "\(r.stateFiles)")
    }

    @Test("a saved plan with a sink whose URL is a secret holds no trace of it, and apply (same policy) delivers")
    func savedPlanWithASecretSink() throws {
        let hook = try WebhookReceiver()
        defer { hook.stop() }
        let r = try RecipeRun(Self.raise)
        defer { r.remove() }
        try r.dir.write("policy.yaml", "allow: [\"state.set:alerts/*\"]\nalerts:\n  sinks:\n    - { type: slack, url_env: SLACK_URL }\n")
        let env = ["SLACK_URL": hook.url + "/services/T01/B02/slackplankey-8e2a"]
        let plan = try Unidesk.run(["plan", "recipe.lua", "--state-dir", r.state, "--policy", "policy.yaml", "--out", "plan.json"], in: r.dir.url, environment: env)
        #expect(plan.exitCode == 0, "\(plan.summary)")
        #expect(hook.sawNothing)
        let file = try String(contentsOfFile: r.dir.path("plan.json"), encoding: .utf8)
        #expect(!file.contains("slackplankey-8e2a") && !file.contains("/services/T01"), "\(file)")
        let apply = try Unidesk.run(["apply", "plan.json", "--state-dir", r.state, "--policy", "policy.yaml"], in: r.dir.url, environment: env)
        #expect(apply.exitCode == 0, "\(apply.summary)")
        #expect(try hook.requests().map(\.path) == ["/services/T01/B02/slackplankey-8e2a"])
        #expect(!(apply.stdout + apply.stderr).contains("slackplankey-8e2a"), "\(apply.summary)")
    }

    @Test("a denial of the sink's POST fails the run (exit 3), and the alert is kept undelivered")
    func deniedDelivery() throws {
        let hook = try WebhookReceiver()
        defer { hook.stop() }
        let r = try RecipeRun(Self.raise)
        defer { r.remove() }
        let result = try r.run("run", Self.grants + ["--alert-sink", "webhook=\(hook.url)/hooks/unidesk", "--deny", "http.post"])
        #expect(result.exitCode == 3, "\(result.summary)")
        #expect(hook.sawNothing)
        #expect(result.stdout.contains("undelivered true"), "\(result.summary)")
        #expect(r.stateFiles.contains("state/alerts/shop.json"), "\(r.stateFiles)")
    }

    @Test("a bad sink configuration is a usage error (exit 2) naming the sink and what to write")
    func badConfiguration() throws {
        let r = try RecipeRun(Self.raise)
        defer { r.remove() }
        let flag = try r.run("run", ["--alert-sink", "pagerduty=http://127.0.0.1:1"])
        #expect(flag.exitCode == 2)
        #expect(flag.stderr.contains("--alert-sink expects TYPE=URL with TYPE one of alertmanager, webhook, slack"), "\(flag.summary)")
        for (yaml, message) in [
            ("alerts:\n  sinks:\n    - type: alertmanager\n", "alerts.sinks[1]: 'url' (or 'url_env', the name of an environment variable holding it) is missing"),
            ("alerts:\n  sinks:\n    - type: slack\n      url_env: UNIDESK_TEST_UNSET_9\n", "alerts.sinks[1]: url_env names 'UNIDESK_TEST_UNSET_9', which is not set in the environment"),
            ("alerts:\n  sinks:\n    - {type: webhook, url: 'ftp://x/y'}\n", "alerts.sinks[1]: 'ftp://x/y' is not an http:// or https:// URL"),
            ("alerts:\n  sinks:\n    - {type: webhook, url: 'http://a/b'}\n    - {type: webhook, url: 'http://a/c'}\n", "two alert sinks are named 'webhook': give each a 'name' of its own"),
            ("metrics: {job: x}\n", "metrics: 'push' (the Pushgateway's URL, e.g. http://pushgateway:9091) is missing"),
        ] {
            try r.dir.write("policy.yaml", yaml)
            let result = try r.run("run", ["--policy", "policy.yaml"])
            #expect(result.exitCode == 2, "\(yaml)")
            #expect(result.stderr.contains(message), "\(result.summary)")
        }
    }
}
