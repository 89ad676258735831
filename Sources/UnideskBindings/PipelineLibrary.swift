import LuaRuntime
import UnideskCore

/// `require "unidesk.pipeline"` (stdlib/unidesk/pipeline.lua): described here for the
/// reference; the pipeline's step deadlines are the one thing the host provides.
public enum PipelineLibrary {
    static let run = PrimitiveSpec(
        module: "pipeline", name: "run",
        summary: "Runs steps in order, each as a unidesk.step. A step may retry (with a doubling backoff) and has its own timeout: every primitive and `time.sleep` called inside it stops at the step's deadline and raises kind = timeout (field deadline = \"step\"), so the step fails as timed out (a pure-Lua loop that calls no primitive is not cut short, but the step fails as timed out when it ends). A retried step is one step of the run's report and JUnit, with its attempts (`[retry]` on stderr for an attempt that is tried again). After the first failure the remaining steps are skipped (recorded as skipped, `[skip]` on stderr, `<skipped/>` in JUnit); `always` steps run in every case, after the others, and get the report so far. A denial is never retried. Returns the report; it raises only for misuse.",
        params: [Param("pipeline", .record([
            Param("name", .string, optional: true, ""),
            Param("steps", .array(.record([
                Param("name", .string, ""), Param("run", .function, "function(ctx) … end"),
                Param("retries", .integer, optional: true, "default 0"), Param("backoff", .number, optional: true, "seconds, doubling; default 1"),
                Param("timeout", .number, optional: true, "seconds"),
            ])), "{name = , run = function(ctx) … end, retries = 0, backoff = 1, timeout = seconds}"),
            Param("always", .array(.record([Param("name", .string, ""), Param("run", .function, "function(report) … end")])), optional: true,
                  "{name = , run = function(report) … end}: clean-up that runs whatever happened"),
            Param("context", .any, optional: true, "passed to every step's run"),
        ]), "")],
        returns: [("{ok: boolean, name?: string, failed_step?: string, error?: any, steps: {name: string, status: string, attempts: integer, seconds: number, error?: any}[], cleanup_failed?: boolean}", "report", "status is ok, failed, timeout, skipped")],
        example: """
        local r = pipeline.run { name = "upgrade", steps = {
          { name = "snapshot", run = function() snapshot.take{ app = "shop", volumes = { "shop_data" } } end },
          { name = "deploy", run = function() compose.recreate{ project = "shop", dir = "deploy", service = "web" } end, retries = 2, timeout = 300 },
        }, always = { { name = "report", run = function(report) print(report.ok) end } } }
        if not r.ok then unidesk.fail("upgrade failed at " .. r.failed_step) end
        """)
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
            // The report's view of the pipeline: one step per pipeline step however often it
            // was tried, and the steps it skipped.
            HostFunction("unidesk.pipeline._step_attempt") { args in
                func int(_ v: LuaValue?) -> Int {
                    switch v ?? .nil {
                    case .int(let i): return Int(i)
                    case .number(let d) where d.isFinite: return Int(d)
                    default: return 1
                    }
                }
                ctx.nextStepIsAttempt(int(args.first), of: int(args.count > 1 ? args[1] : nil))
                return []
            },
            HostFunction("unidesk.pipeline._step_skipped") { args in
                ctx.stepSkipped(args[0].stringValue ?? "?", reason: args.count > 1 ? args[1].stringValue ?? "" : "")
                return []
            },
        ]
    }

    public static let test = HostLibrary(
        name: "test", summary: "For *_test.lua files run by `unidesk test`: describe/it, deep equality with the first difference named, fakes and recordings of real responses standing in for primitive families.",
        specs: [
            PrimitiveSpec(module: "test", name: "describe", summary: "Groups tests; names nest (\"upgrade › rolls back\").",
                          params: [Param("name", .string, ""), Param("fn", .function, "")]),
            PrimitiveSpec(module: "test", name: "it", summary: "One test, run as a step: a failure is recorded and the next test runs.",
                          params: [Param("name", .string, ""), Param("fn", .function, "")]),
            PrimitiveSpec(module: "test", name: "eq", summary: "Deep equality; the error names the first difference (\"at .rows[2].status: expected \\\"ok\\\", got \\\"drift\\\"\").",
                          params: [Param("actual", .any, ""), Param("expected", .any, ""), Param("message", .string, optional: true, "")]),
            PrimitiveSpec(module: "test", name: "truthy", summary: "The value must be neither nil nor false.",
                          params: [Param("value", .any, ""), Param("message", .string, optional: true, "")]),
            PrimitiveSpec(module: "test", name: "raises", summary: "fn must raise; with a pattern, its message must contain it (plain text). Returns the error.",
                          params: [Param("fn", .function, ""), Param("pattern", .string, optional: true, "")], returns: [("any", "error", "")]),
            PrimitiveSpec(module: "test", name: "fake", summary: "From now on require(\"unidesk.<family>\") returns the fake: a table of functions (calls are recorded in fake.calls as {name, args}); a function the fake lacks raises.",
                          params: [Param("family", .string, "registry, http, compose, kube, pg, snapshot…"), Param("impl", .map(.any), "")],
                          returns: [("table", "fake", "with .calls")],
                          example: #"local reg = test.fake("registry", { head = function(ref) return { exists = false, status = 404, ref = ref } end })"#),
            PrimitiveSpec(module: "test", name: "replay", summary: "From now on require(\"unidesk.<family>\") answers from a recording of real responses: a call matches a recorded one by function name and arguments (deep equality, as JSON); recorded errors are raised as the primitive raised them (kind, message, fields), recorded `nil, err` returns come back as values. A call the recording lacks fails the test, naming the call, its arguments and the file, and saying to re-record. Under `unidesk test --record` the real family is called instead (grants as usual) and the recording is written when the file's tests finish: pretty JSON, atomically, inside the recipe's directory only, secrets masked.",
                          params: [Param("family", .string, "registry, http, kube, compose… (families whose results are data)"),
                                   Param("path", .string, "the recording, relative to the test file's directory, ending in .json")],
                          returns: [("table", "module", "the replaying (or recording) module")],
                          errors: ["raises naming the file when the recording is missing, not JSON or not a recording",
                                   "raises kind=replay for a call that was not recorded (the test fails even if the code caught it)"],
                          example: """
                          test.replay("registry", "fixtures/registry.recording.json")
                          local a = require("unidesk.registry").head("127.0.0.1:5000/unidesk/app:1.4.2")   -- answered from the recording
                          """),
            PrimitiveSpec(module: "test", name: "load", summary: "Requires a recipe module afresh, after fakes were installed.",
                          params: [Param("module", .string, "")], returns: [("any", "module", "")]),
        ]
    ) { _ in [] }
}
