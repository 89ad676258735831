import LuaRuntime
import UnideskCore

/// `require "unidesk.pipeline"` (stdlib/unidesk/pipeline.lua) and `require "unidesk.alert"`
/// (stdlib/unidesk/alert.lua): described here for the reference; the pipeline's step
/// deadlines are the one thing the host provides.
public enum PipelineLibrary {
    static let run = PrimitiveSpec(
        module: "pipeline", name: "run",
        summary: "Runs steps in order, each as a unidesk.step. A step may retry (with a doubling backoff) and has its own timeout: every primitive called inside it stops waiting at the step's deadline (a pure-Lua loop is not cut short, but the step is reported as timed out). After the first failure the remaining steps are skipped; `always` steps run in every case, after the others, and get the report so far. A denial is never retried. Returns the report; it raises only for misuse.",
        params: [Param("pipeline", .record([
            Param("name", .string, optional: true, ""),
            Param("steps", .array(.any), "{name = , run = function(ctx) … end, retries = 0, backoff = 1, timeout = seconds}"),
            Param("always", .array(.any), optional: true, "{name = , run = function(report) … end}: clean-up that runs whatever happened"),
            Param("context", .any, optional: true, "passed to every step's run"),
        ]), "")],
        returns: [("{ok: boolean, name?: string, failed_step?: string, error?: any, steps: {name: string, status: string, attempts: integer, seconds: number, error?: string}[], cleanup_failed?: boolean}", "report", "status is ok, failed, timeout, skipped")],
        example: """
        local r = pipeline.run { name = "upgrade", steps = {
          { name = "snapshot", run = function() snapshot.take{ app = "shop", volumes = { "shop_data" } } end },
          { name = "deploy", run = deploy, retries = 2, timeout = 300 },
        }, always = { { name = "report", run = function(r) print(r.ok) end } } }
        """)
    static let raise = PrimitiveSpec(
        module: "alert", name: "raise",
        summary: "Records an alert: in the state store (alerts/<app>/<time>), in the run's outputs (`alerts`) and as a warning in the log. Returns the record.",
        params: [Param("alert", .record([
            Param("kind", .string, "what happened: held, rolled_back, failed, …"),
            Param("app", .string, ""),
            Param("attempted", .string, optional: true, "the version tried"),
            Param("last_good", .string, optional: true, "the version running now"),
            Param("recovered", .boolean, optional: true, "whether the app is back on last_good"),
            Param("notes", .string, optional: true, ""),
        ]), "")],
        returns: [("table", "record", "the alert with its time")],
        effect: .write, scope: "alerts/<app>/<time> (as state.set)",
        example: #"alert.raise{ kind = "rolled_back", app = "shop", attempted = target, last_good = current, recovered = true, notes = err.message }"#)
    static let list = PrimitiveSpec(
        module: "alert", name: "list", summary: "An app's recorded alerts, oldest first.",
        params: [Param("app", .string, "")], returns: [("table[]", "alerts", "")])

    public static let pipeline = HostLibrary(
        name: "pipeline", summary: "Steps with retries, per-step timeouts and clean-up steps that always run.",
        specs: [run]
    ) { ctx in
        [
            HostFunction("unidesk.pipeline._deadline_push") { args in
                if case .number(let s) = args.first ?? .nil { ctx.pushStepDeadline(seconds: s) }
                else if case .int(let s) = args.first ?? .nil { ctx.pushStepDeadline(seconds: Double(s)) }
                else { ctx.pushStepDeadline(seconds: .infinity) }
                return []
            },
            HostFunction("unidesk.pipeline._deadline_pop") { _ in ctx.popStepDeadline(); return [] },
        ]
    }

    public static let alert = HostLibrary(
        name: "alert", summary: "Alert records (kind, app, attempted, last_good, recovered, notes) in the state store and the report.",
        specs: [raise, list]
    ) { _ in [] }
}
