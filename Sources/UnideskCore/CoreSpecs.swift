/// Descriptions of the functions on the `unidesk` table itself.
enum CoreSpecs {
    static let step = PrimitiveSpec(
        module: "", name: "step", summary: "Runs `fn(...)` as a named step: recorded in the report and JUnit with status and duration, shown live on stderr. Errors propagate unchanged after the step is marked failed.",
        params: [Param("name", .string, "step name, shown in logs and JUnit"), Param("fn", .function, "the step's body"), Param("...", .any, optional: true, "arguments passed to fn")],
        returns: [("any", "...", "what fn returned")],
        example: #"unidesk.step("check artifact", function() … end)"#)
    static let fail = PrimitiveSpec(
        module: "", name: "fail", summary: "Fails the recipe with a message (exit code 1). Raises an error with kind = \"fail\".",
        params: [Param("message", .string, "why the recipe fails")],
        example: #"if not ok then unidesk.fail("health check failed") end"#)
    static let logInfo = PrimitiveSpec(module: "log", name: "info", summary: "Logs a line on stderr (arguments joined like print).", params: [Param("...", .any, "values to log")], example: #"unidesk.log.info("deploying", version)"#)
    static let logWarn = PrimitiveSpec(module: "log", name: "warn", summary: "Logs a warning on stderr.", params: [Param("...", .any, "values to log")])
    static let logError = PrimitiveSpec(module: "log", name: "error", summary: "Logs an error line on stderr (does not stop the recipe).", params: [Param("...", .any, "values to log")])
    static let secret = PrimitiveSpec(
        module: "", name: "secret", summary: "Wraps a string as a secret: opaque to tostring (\"<secret>\"), concatenation and JSON, masked in every log, report and error. Primitives accept secrets where they take credentials.",
        params: [Param("value", .stringOrSecret, "the secret text")],
        returns: [("secret", "secret", "an opaque value")],
        example: #"local token = unidesk.secret(unidesk.vars.token)"#)
    static let env = PrimitiveSpec(
        module: "", name: "env", summary: "Reads an environment variable that the run exposes (--env NAME, --secret-env NAME, or the policy file's env/secret_env). Secret variables come back as secrets. Reading a variable that is not exposed raises.",
        params: [Param("name", .string, "variable name")],
        returns: [("string|secret|nil", "value", "nil when the variable is exposed but unset")],
        errors: ["raises when the variable is not exposed to the run"],
        example: #"local sha = unidesk.env("CI_COMMIT_SHA")"#)
    static let output = PrimitiveSpec(
        module: "", name: "output", summary: "Sets a named output of the run, written to the JSON report's `outputs`. Values must be JSON-encodable (no secrets).",
        params: [Param("name", .string, "output name"), Param("value", .any, "a JSON-encodable value")],
        example: #"unidesk.output("digest", head.digest)"#)
    static let can = PrimitiveSpec(
        module: "", name: "can", summary: "Whether the policy would allow a capability, without calling anything: lets a recipe branch instead of being denied.",
        params: [Param("capability", .string, "'family.op:scope', e.g. 'fs.write:out/x.json'")],
        returns: [("boolean", "allowed", "")],
        example: #"if unidesk.can("kube.apply:prod/*") then … end"#)

    /// Reading a recipe module's source for require: the same capability as fs.read, so a
    /// deny rule on a path covers require too. Not a function of its own (no docs entry).
    static let moduleSource = PrimitiveSpec(
        module: "fs", name: "read", summary: "Reads a module's source for require.",
        effect: .localRead, scope: "<path relative to the recipe's directory>")

    static let all: [PrimitiveSpec] = [step, fail, logInfo, logWarn, logError, secret, env, output, can]
}
