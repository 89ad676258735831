import Foundation
import Testing
import UnideskTestSupport

/// The test's own Pushgateway (scripts/stack/pushgateway-up: 1.5.1 from Debian, on a free
/// port), stopped by pushgateway-down (by its PID).
final class Pushgateway {
    let service: StackService
    var url: String { service.url }

    init() throws { service = try StackService("pushgateway", urlVariable: "PUSHGATEWAY_URL") }

    func stop() { service.stop() }

    /// The sample lines of /metrics whose metric name starts with `prefix`, without the
    /// Pushgateway's own (push_time_seconds, …).
    func samples(_ prefix: String) throws -> [String] {
        try service.get("/metrics").split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    /// The value of the one sample whose line starts with `series` (name and labels as the
    /// Pushgateway prints them, sorted by label name).
    func value(_ series: String) throws -> Double? {
        try samples(series).first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }
}

@Suite("Run metrics pushed to a Pushgateway at the end of a run", .serialized)
struct MetricsPushTests {
    static let recipe = """
        local metrics = require "unidesk.metrics"
        metrics.group{ app = "shop" }
        unidesk.step("migrate", function() metrics.counter("shop_rows_copied_total", 250, { table = "orders" }) end)
        metrics.counter("shop_rows_copied_total", 5, { table = "orders" })
        metrics.gauge("shop_schema_version", 42, nil, "schema version after the migrations")
        require("unidesk.state").set("shop/last", "x")
        if unidesk.vars.fail then unidesk.step("deploy", function() unidesk.fail("health check failed") end) end
        """
    /// How the Pushgateway prints the group's labels before a sample's own.
    static let group = #"app="shop",instance="",job="unidesk",recipe="recipe""#

    @Test("a run pushes its duration, exit code, steps, effects and the recipe's metrics, grouped by job, recipe and app")
    func runPushes() throws {
        let pg = try Pushgateway()
        defer { pg.stop() }
        let r = try RecipeRun(Self.recipe)
        defer { r.remove() }
        let result = try r.run("run", ["--metrics-push", pg.url, "--allow", "state.set:shop/*", "--report", r.report])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stderr.contains("metrics pushed to \(pg.url)/metrics/job/unidesk/recipe/recipe/app/shop"), "\(result.summary)")
        #expect(try pg.value("unidesk_run_exit_code{\(Self.group)}") == 0)
        #expect(try pg.value("unidesk_run_success{\(Self.group)}") == 1)
        let duration = try #require(try pg.value("unidesk_run_duration_seconds{\(Self.group)}"))
        let reported = try #require(r.reportJSON?["duration_ms"] as? Double)
        #expect(abs(duration * 1000 - reported) < 0.01, "the pushed duration is the report's")
        #expect(try pg.value(#"unidesk_step_duration_seconds{\#(Self.group),status="ok",step="migrate"}"#) != nil)
        #expect(try pg.samples("unidesk_effects{").contains(#"unidesk_effects{app="shop",instance="",job="unidesk",outcome="performed",recipe="recipe"} 1"#))
        #expect(try pg.samples("unidesk_effects{").contains(#"unidesk_effects{app="shop",instance="",job="unidesk",outcome="denied",recipe="recipe"} 0"#))
        #expect(try pg.value(#"shop_rows_copied_total{\#(Self.group),table="orders"}"#) == 255)
        #expect(try pg.value("shop_schema_version{\(Self.group)}") == 42)
        #expect(try pg.service.get("/metrics").contains("# HELP shop_schema_version schema version after the migrations"))
        let push = (r.reportJSON?["metrics"] as? [String: Any])?["push"] as? [String: Any]
        #expect(push?["pushed"] as? Bool == true, "\(String(describing: push))")
    }

    @Test("a failed run pushes exit code 1 and its failed step; the next run's push replaces the group (PUT)")
    func failedRunThenReplaced() throws {
        let pg = try Pushgateway()
        defer { pg.stop() }
        let r = try RecipeRun(Self.recipe)
        defer { r.remove() }
        let failed = try r.run("run", ["--metrics-push", pg.url, "--allow", "state.set:shop/*", "--var", "fail=1"])
        #expect(failed.exitCode == 1, "\(failed.summary)")
        #expect(try pg.value("unidesk_run_exit_code{\(Self.group)}") == 1)
        #expect(try pg.value("unidesk_run_success{\(Self.group)}") == 0)
        #expect(try pg.value(#"unidesk_step_duration_seconds{\#(Self.group),status="failed",step="deploy"}"#) != nil)
        try r.dir.write("recipe.lua", #"require("unidesk.metrics").group{ app = "shop" }"#)
        let next = try r.run("run", ["--metrics-push", pg.url])
        #expect(next.exitCode == 0, "\(next.summary)")
        #expect(try pg.value("unidesk_run_exit_code{\(Self.group)}") == 0)
        #expect(try pg.samples("shop_").isEmpty, "the earlier run's recipe metrics are gone with its group")
        #expect(try pg.value(#"unidesk_step_duration_seconds{\#(Self.group),status="failed",step="deploy"}"#) == nil)
    }

    @Test("a plan pushes nothing when the policy file configures metrics; with --metrics-push it pushes, grouped with mode=plan")
    func planPushesOnlyWhenAsked() throws {
        let pg = try Pushgateway()
        defer { pg.stop() }
        let r = try RecipeRun(Self.recipe)
        defer { r.remove() }
        try r.dir.write("policy.yaml", "allow: [\"state.set:shop/*\"]\nmetrics:\n  push: \(pg.url)\n  labels: { team: payments }\n")
        let quiet = try r.run("plan", ["--policy", "policy.yaml"])
        #expect(quiet.exitCode == 0, "\(quiet.summary)")
        #expect(try pg.samples("unidesk_").isEmpty)
        #expect(!quiet.stderr.contains("metrics pushed"), "\(quiet.summary)")
        let asked = try r.run("plan", ["--policy", "policy.yaml", "--metrics-push", pg.url])
        #expect(asked.exitCode == 0, "\(asked.summary)")
        let planned = #"app="shop",instance="",job="unidesk",mode="plan",recipe="recipe",team="payments""#
        #expect(try pg.value("unidesk_run_exit_code{\(planned)}") == 0)
        #expect(try pg.samples("unidesk_effects{").contains(#"unidesk_effects{app="shop",instance="",job="unidesk",mode="plan",outcome="planned",recipe="recipe",team="payments"} 1"#))
        // A run with the same policy pushes to its own group, without mode.
        let run = try r.run("run", ["--policy", "policy.yaml"])
        #expect(run.exitCode == 0, "\(run.summary)")
        #expect(try pg.value(#"unidesk_run_exit_code{app="shop",instance="",job="unidesk",recipe="recipe",team="payments"}"#) == 0)
    }

    @Test("Pushgateway down: a warning, the report says not pushed, and the run's exit code stands")
    func pushgatewayDown() throws {
        let pg = try Pushgateway()
        let url = pg.url
        pg.stop()
        let r = try RecipeRun("print('done')")
        defer { r.remove() }
        let result = try r.run("run", ["--metrics-push", url, "--report", r.report])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout.contains("done"))
        #expect(result.stderr.contains("warning: metrics not pushed to \(url)/metrics/job/unidesk/recipe/recipe"), "\(result.summary)")
        let push = (r.reportJSON?["metrics"] as? [String: Any])?["push"] as? [String: Any]
        #expect(push?["pushed"] as? Bool == false, "\(String(describing: push))")
        #expect(push?["error"] is String)
    }

    @Test("a recipe path with a directory and label values with quotes and newlines reach the Pushgateway as given")
    func pathAndEscapes() throws {
        let pg = try Pushgateway()
        defer { pg.stop() }
        let r = try RecipeRun("")
        defer { r.remove() }
        try FileManager.default.createDirectory(atPath: r.dir.path("deploy"), withIntermediateDirectories: true)
        try r.dir.write("deploy/upgrade.lua", #"require("unidesk.metrics").gauge("shop_note", 1, { text = "a \"quoted\"\nline \\ here" })"#)
        let result = try Unidesk.run(["run", "./deploy/upgrade.lua", "--metrics-push", pg.url, "--var", "app=shop"], in: r.dir.url)
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(try pg.samples("shop_note{") == [#"shop_note{app="shop",instance="",job="unidesk",recipe="deploy/upgrade",text="a \"quoted\"\nline \\ here"} 1"#])
    }

    @Test("metric names and labels Prometheus refuses are bad arguments naming the function")
    func badNames() throws {
        let cases: [(String, String)] = [
            (#"metrics.gauge("2xx", 1)"#, "bad argument #1 to 'unidesk.metrics.gauge' ('2xx' is not a Prometheus metric name"),
            (#"metrics.gauge("unidesk_x", 1)"#, "the unidesk_ prefix is the run's own"),
            (#"metrics.counter("a_total", -1)"#, "bad argument #2 to 'unidesk.metrics.counter' (a counter only goes up"),
            (#"metrics.gauge("a", 1, { ["bad-name"] = "x" })"#, "label 'bad-name' is not a Prometheus label name"),
            (#"metrics.gauge("a", 1, { job = "x" })"#, "label 'job' is the push's own"),
            (#"metrics.counter("a", 1) metrics.gauge("a", 1)"#, "'a' is already a counter in this run"),
        ]
        for (code, message) in cases {
            let r = try RecipeRun("local metrics = require \"unidesk.metrics\"\n" + code)
            defer { r.remove() }
            let result = try r.run()
            #expect(result.exitCode == 1, "\(code)")
            #expect(result.stderr.contains(message), "\(result.summary)")
        }
    }
}
