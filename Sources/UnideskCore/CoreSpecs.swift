/// Descriptions of the functions on the `unidesk` table itself.
enum CoreSpecs {
    static let step = PrimitiveSpec(
        module: "", name: "step", summary: "Runs `fn(...)` as a named step: recorded in the report and JUnit with status and duration, shown live on stderr. Errors propagate unchanged after the step is marked failed.",
        params: [Param("name", .string, "step name, shown in logs and JUnit"), Param("fn", .function, "the step's body"), Param("...", .any, optional: true, "arguments passed to fn")],
        returns: [("any", "...", "what fn returned")],
        example: """
        unidesk.step("check artifact", function()
          local a = registry.head("127.0.0.1:5000/unidesk/app:1.4.2")
          if not a.exists then unidesk.fail("artifact not published") end
        end)
        """)
    static let volatile = PrimitiveSpec(
        module: "", name: "volatile", summary: "Runs `fn(...)` with its primitive calls left out of the comparison `unidesk apply` makes with a saved plan: reads whose result is expected to change (a clock endpoint), writes that depend on them, and recovery a plan cannot contain (a rollback after a failed health check). Policy, audit and plan mode apply as always; after drift nothing is performed, inside or not. Returns what fn returned; errors propagate.",
        params: [Param("fn", .function, "the calls to leave out of the comparison"), Param("...", .any, optional: true, "arguments passed to fn")],
        returns: [("any", "...", "what fn returned")],
        example: """
        local http = require "unidesk.http"
        local now = unidesk.volatile(http.get, "http://127.0.0.1:8081/time")
        """)
    static let fail = PrimitiveSpec(
        module: "", name: "fail", summary: "Fails the recipe with a message (exit code 1). Raises an error with kind = \"fail\".",
        params: [Param("message", .string, "why the recipe fails")],
        example: """
        local health = http.get("http://127.0.0.1:8081/health")
        if health.status ~= 200 then unidesk.fail("health check failed: status " .. health.status) end
        """)
    static let logInfo = PrimitiveSpec(module: "log", name: "info", summary: "Logs a line on stderr (arguments joined like print).", params: [Param("...", .any, "values to log")], example: #"unidesk.log.info("deploying", unidesk.vars.version, "to", 3, "hosts")"#)
    static let logWarn = PrimitiveSpec(module: "log", name: "warn", summary: "Logs a warning on stderr.", params: [Param("...", .any, "values to log")])
    static let logError = PrimitiveSpec(module: "log", name: "error", summary: "Logs an error line on stderr (does not stop the recipe).", params: [Param("...", .any, "values to log")])
    static let secret = PrimitiveSpec(
        module: "", name: "secret", summary: "Wraps a string as a secret: opaque to tostring (\"<secret>\"), concatenation and JSON, masked in every log, report and error. Primitives accept secrets where they take credentials.",
        params: [Param("value", .stringOrSecret, "the secret text")],
        returns: [("secret", "secret", "an opaque value")],
        example: #"local token = unidesk.secret(unidesk.vars.token)   -- unidesk run … --var token=…"#)
    static let env = PrimitiveSpec(
        module: "", name: "env", summary: "Reads an environment variable that the run exposes (--env NAME, --secret-env NAME, or the policy file's env/secret_env). Secret variables come back as secrets. Reading a variable that is not exposed raises.",
        params: [Param("name", .string, "variable name")],
        returns: [("string|secret|nil", "value", "nil when the variable is exposed but unset")],
        errors: ["raises when the variable is not exposed to the run"],
        example: #"local sha = unidesk.env("CI_COMMIT_SHA")   -- unidesk run … --env CI_COMMIT_SHA"#)
    static let output = PrimitiveSpec(
        module: "", name: "output", summary: "Sets a named output of the run, written to the JSON report's `outputs`. Values must be JSON-encodable (no secrets).",
        params: [Param("name", .string, "output name"), Param("value", .any, "a JSON-encodable value")],
        example: """
        local head = registry.head("127.0.0.1:5000/unidesk/app:1.4.2")
        unidesk.output("digest", head.digest)
        """)
    static let can = PrimitiveSpec(
        module: "", name: "can", summary: "Whether the policy would allow a capability, without calling anything: lets a recipe branch instead of being denied.",
        params: [Param("capability", .string, "'family.op:scope', e.g. 'fs.write:out/x.json'")],
        returns: [("boolean", "allowed", "")],
        example: """
        if unidesk.can("kube.apply:shop/*") then
          kube.apply(fs.read("deploy/web.yaml"), { field_manager = "shop-deploy" })
        else
          unidesk.log.warn("kube.apply:shop/* is not granted: the rollout is left out")
        end
        """)

    /// Reading a recipe module's source for require: the same capability as fs.read, so a
    /// deny rule on a path covers require too. Not a function of its own (no docs entry).
    static let moduleSource = PrimitiveSpec(
        module: "fs", name: "read", summary: "Reads a module's source for require.",
        effect: .localRead, scope: "<path relative to the recipe's directory>")

    static let vars = PrimitiveSpec.value(
        module: "", name: "vars", type: "table<string, string>",
        summary: "The values given with `--var key=value` (strings); a key not given is nil.",
        example: #"local target = unidesk.vars.version or "latest"   -- unidesk run … --var version=1.4.2"#)
    static let mode = PrimitiveSpec.value(
        module: "", name: "mode", type: "string",
        summary: "`\"run\"` or `\"plan\"`: whether writes are performed or only planned (`unidesk plan`).",
        example: #"if unidesk.mode == "plan" then unidesk.log.info("planning: nothing is written") end"#)
    static let version = PrimitiveSpec.value(
        module: "", name: "version", type: "string",
        summary: "The version of unidesk running the recipe.",
        example: #"unidesk.output("unidesk_version", unidesk.version)"#)
    static let null = PrimitiveSpec.value(
        module: "", name: "null", type: "userdata",
        summary: "The null sentinel, the same value as `json.null` and `yaml.null`: JSON and YAML null decode to it and it encodes to null; unlike nil it can be stored in a table.",
        example: #"if json.decode('{"tag": null}').tag == unidesk.null then unidesk.log.info("no tag set") end"#)

    /// Types the functions on the `unidesk` table take or return.
    static let classes = [
        StubClass(name: "secret", summary: "An opaque secret (from `unidesk.secret`, or a variable exposed with --secret-env): `tostring` gives \"<secret>\", it cannot be concatenated or JSON-encoded, and its text is masked in every log, report and error. Primitives accept it where they take credentials."),
    ]

    static let all: [PrimitiveSpec] = [step, volatile, fail, logInfo, logWarn, logError, secret, env, output, can, vars, mode, version, null]
}
