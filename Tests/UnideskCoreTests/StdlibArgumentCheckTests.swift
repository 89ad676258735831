import Foundation
import Testing
@testable import UnideskCore
import UnideskData

/// Stdlib functions (Lua) check their arguments with their specs, through the one host
/// check the prelude hands them: the same messages as host functions, at the user's line.
@Suite struct StdlibArgumentCheckTests {
    /// One misuse per line: (label, a statement that misuses a stdlib function).
    static let cases: [(String, String, String)] = [
        ("step", #"unidesk.step(1, function() end)"#,
         "bad argument #1 to 'unidesk.step' (string expected, got number)"),
        ("step_fn", #"unidesk.step("s")"#,
         "bad argument #2 to 'unidesk.step' (function expected, got nil)"),
        ("fs_lines", #"fs.lines(1)"#,
         "bad argument #1 to 'unidesk.fs.lines' (string expected, got number)"),
        ("http_wait_type", #"http.wait("http://127.0.0.1:1/", { timeout = "soon" })"#,
         "bad argument #2 to 'unidesk.http.wait' (field 'timeout': number expected, got string)"),
        ("http_wait_field", #"http.wait("http://127.0.0.1:1/", { tries = 3 })"#,
         "bad argument #2 to 'unidesk.http.wait' (unknown field 'tries' (known fields: timeout, interval, until, headers))"),
        ("tx_without_object", #"conn.tx(nil, function() end)"#,
         "bad argument #1 to 'unidesk.pg.connection:tx' (connection expected (call it as connection:tx(…)))"),
        ("tx_fn", #"conn:tx(5)"#,
         "bad argument #2 to 'unidesk.pg.connection:tx' (function expected, got number)"),
        ("pg_exec", #"pg.exec{ dsn = "host=x", sql = "SELECT 1", bogus = true }"#,
         "bad argument #1 to 'unidesk.pg.exec' (unknown field 'bogus' (known fields: dsn, sql, params, role, read_only, timeout, plan_lock_timeout, plan_statement_timeout, database))"),
        ("alert_type", #"alert.raise{ kind = "held", app = 1 }"#,
         "bad argument #1 to 'unidesk.alert.raise' (field 'app': string expected, got number)"),
        ("alert_required", #"alert.raise{ kind = "held" }"#,
         "bad argument #1 to 'unidesk.alert.raise' (field 'app' is required (string))"),
        ("alert_list", #"alert.list()"#,
         "bad argument #1 to 'unidesk.alert.list' (string expected, got nil)"),
        ("state_lock", #"state.lock("shop", function() end, { wait = 1 })"#,
         "bad argument #3 to 'unidesk.state.lock' (unknown field 'wait' (known fields: timeout))"),
        ("test_fake", #"test.fake("kube", 1)"#,
         "bad argument #2 to 'unidesk.test.fake' (table<string, any> expected, got number)"),
        ("test_replay", #"test.replay("kube", 1)"#,
         "bad argument #2 to 'unidesk.test.replay' (string expected, got number)"),
        ("migrate_smoke", #"migrate.smoke{ dir = "m", admin_dsn = "x", owner_role = "o", app_role = "a", bogus = 1 }"#,
         "bad argument #1 to 'unidesk.migrate.smoke' (unknown field 'bogus' (known fields: dir, admin_dsn, owner_role, app_role, baseline, applied, down, allow_gaps))"),
        ("migrate_gate", #"migrate.gate(1)"#,
         "bad argument #1 to 'unidesk.migrate.gate' (table expected, got number)"),
        ("migrate_from_vars", #"migrate.from_vars(1)"#,
         "bad argument #1 to 'unidesk.migrate.from_vars' (table<string, any> expected, got number)"),
        ("pipeline", #"pipeline.run{ steps = { { name = "a" } } }"#,
         "bad argument #1 to 'unidesk.pipeline.run' (field 'steps[1].run' is required (function))"),
        ("semver", #"semver.parse(1)"#,
         "bad argument #1 to 'unidesk.semver.parse' (string expected, got number)"),
    ]

    @Test("each misuse raises the spec's bad-argument message at the user's line")
    func misuseNamesTheSpecAndTheUsersLine() throws {
        let header = """
        local alert, fs, http, migrate = require "unidesk.alert", require "unidesk.fs", require "unidesk.http", require "unidesk.migrate"
        local pg, pipeline, semver, state = require "unidesk.pg", require "unidesk.pipeline", require "unidesk.semver", require "unidesk.state"
        local test = require "unidesk.test"
        local conn = pg.connect("host=127.0.0.1 port=1 dbname=x user=y")
        local out = {}
        local function try(name, f) local ok, e = pcall(f); out[name] = ok and "no error" or tostring(e) end
        """
        let headerLines = header.split(separator: "\n").count
        var recipe = header + "\n"
        for (label, statement, _) in Self.cases { recipe += "try(\"\(label)\", function() \(statement) end)\n" }
        recipe += "unidesk.output(\"misuse\", out)\n"
        let t = try TempRecipe(["recipe.lua": recipe])
        let r = try t.run(.plan(offline: true))
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = Dictionary(uniqueKeysWithValues: r.outputs)["misuse"]
        for (i, (label, _, message)) in Self.cases.enumerated() {
            #expect(out?[label]?.stringValue?.hasSuffix("/recipe.lua:\(headerLines + i + 1): \(message)") == true, "\(label): \(out?[label]?.stringValue ?? "nil")")
        }
    }

    @Test("correct calls pass the same checks, a cyclic pipeline context too")
    func correctCallsPass() throws {
        let t = try TempRecipe(["recipe.lua": """
            local pipeline, semver, state = require "unidesk.pipeline", require "unidesk.semver", require "unidesk.state"
            local context = { n = 1 }
            context.self = context   -- a cycle: the host cannot read it, and need not (context is any value)
            local r = pipeline.run{ name = "p", steps = { { name = "a", run = function(ctx) return ctx end, retries = 1, timeout = 5 } },
                                    always = { { name = "b", run = function() end } }, context = context }
            unidesk.output("ok", r.ok)
            unidesk.output("lock", state.lock("shop", function(x) return x end, { timeout = 1 }) == nil)
            unidesk.output("major", semver.parse("1.2.3").major)
            unidesk.step("variadic", function(a, b) unidesk.output("sum", a + b) end, 1, 2)
            """])
        let r = try t.run(allow: ["state.*"])
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = Dictionary(uniqueKeysWithValues: r.outputs)
        #expect(out["ok"] == .bool(true))
        #expect(out["lock"] == .bool(true))
        #expect(out["major"] == .int(1))
        #expect(out["sum"] == .int(3))
    }

    @Test("no stdlib module writes a bad-argument message by hand, except the prelude's one builder (require, package, io) and semver's version errors")
    func noHandWrittenChecks() {
        for (file, text) in EmbeddedStdlib.files.sorted(by: { $0.key < $1.key }) {
            let count = text.components(separatedBy: "\"bad argument").count - 1
            let allowed = ["unidesk/_prelude.lua": 1, "unidesk/semver.lua": 1][file] ?? 0
            #expect(count == allowed, "\(file) has \(count) hand-written bad-argument messages; use check(\"<module>.<name>\", …)")
        }
    }
}
