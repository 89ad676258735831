import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData

/// recipes/migration-gate and unidesk.migrate against the private PostgreSQL: each classic
/// outage caught with a report a person can act on, and nothing left behind on the server.
@Suite(.serialized) struct MigrationGateTests {
    let recipe = "\(repositoryRoot)/recipes/migration-gate/recipe.lua"

    func run(_ path: String, mode: RunMode = .run, vars: [(String, String)] = [], timeout: Double = 60) throws -> RunReport {
        var o = EngineOptions()
        o.mode = mode
        o.color = false
        o.timeout = timeout
        o.vars = vars
        o.stateDirectory = NSTemporaryDirectory() + "unidesk-gate-state-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: o.stateDirectory) }
        try o.policy.add(allow: ["pg.exec:*"], deny: [])
        o.policy.secretEnv = ["MIGRATE_ADMIN_DSN"]
        o.environment = ["MIGRATE_ADMIN_DSN": try stackValue("UNIDESK_PG_ADMIN_DSN")]
        return Engine(options: o, libraries: Libraries.all).run(recipePath: path)
    }

    func gate(_ r: RunReport) -> [String: DataValue] {
        guard case .object(let pairs)? = r.outputs.first(where: { $0.0 == "migration_gate" })?.1 else { return [:] }
        return Dictionary(pairs, uniquingKeysWith: { a, _ in a })
    }

    /// Scratch databases and the fixture roles still on the server (there must be none).
    func leftovers() throws -> Int64 {
        let t = try TempRecipe(["recipe.lua": """
            local conn = require("unidesk.pg").connect(unidesk.env("DSN"))
            -- Counted while no smoke runs (other suites' smokes hold the roles for a while).
            assert(conn:query("SELECT pg_advisory_lock(" .. require("unidesk.migrate").lock_key .. ") IS NULL AS w"))
            unidesk.output("n", conn:query([[SELECT (SELECT count(*) FROM pg_database WHERE datname LIKE 'unidesk_smoke_%')
              + (SELECT count(*) FROM pg_roles WHERE rolname IN ('app', 'app_owner', 'gate_owner', 'gate_app')) AS n]])[1].n)
            """])
        let r = try t.run(env: ["DSN": try stackValue("UNIDESK_PG_ADMIN_DSN")], secretEnv: ["DSN"])
        guard case .int(let n)? = r.outputs.first?.1 else { Issue.record("could not count leftovers: \(r.error?.message ?? "")"); return -1 }
        return n
    }

    @Test func cleanSetPasses() throws {
        let r = try run(recipe, vars: [("fixture", "clean")])
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let g = gate(r)
        #expect(g["ok"] == .bool(true) && g["applied"] == .int(3) && g["migrations"] == .int(3))
        // Every up ran as the deploy role, never as the admin.
        let asApp = r.audit.filter { $0.capability.hasSuffix("@app") && $0.primitive == "unidesk.pg.connection:script" }
        #expect(asApp.count == 3 + 2 * 3, "3 ups, then down and up again for each: \(asApp.count)")
        #expect(try leftovers() == 0)
    }

    @Test func ownershipErrorIsCaughtAsTheAppRole() throws {
        let r = try run(recipe, vars: [("fixture", "ownership")])
        #expect(r.exitCode == .recipeFailed)
        #expect(r.error?.message.contains("002_users_plan.up.sql line 3: SQLSTATE 42501 must be owner of table users") == true, "\(r.error?.message ?? "")")
        guard case .object(let f)? = gate(r)["failure"] else { Issue.record("no failure in the output"); return }
        let failure = Dictionary(f, uniquingKeysWith: { a, _ in a })
        #expect(failure["role"] == .string("app") && failure["phase"] == .string("up") && failure["line"] == .int(3))
        #expect(failure["statement"] == .string("ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free'"))
        #expect(try leftovers() == 0, "the scratch database and roles are dropped on failure too")
    }

    @Test func droppedColumnIsCaughtWithItsLine() throws {
        let r = try run(recipe, vars: [("fixture", "dropped-column")])
        #expect(r.exitCode == .recipeFailed)
        guard case .object(let f)? = gate(r)["failure"] else { Issue.record("no failure in the output"); return }
        let failure = Dictionary(f, uniquingKeysWith: { a, _ in a })
        #expect(failure["file"] == .string("003_backfill_accounts.up.sql"))
        #expect(failure["sqlstate"] == .string("42703"))
        #expect(failure["line"] == .int(5), "the line of `WHERE legacy_flag`, from the server's error position")
        #expect(gate(r)["applied"] == .int(2))
        #expect(try leftovers() == 0)
    }

    @Test func duplicateSlotIsCaughtBeforeAnythingRuns() throws {
        let r = try run(recipe, vars: [("fixture", "duplicate-slot")])
        #expect(r.exitCode == .recipeFailed)
        #expect(r.error?.message.contains("version 2 has 2 migrations (002_orders_currency.up.sql, 002_orders_status.up.sql)") == true, "\(r.error?.message ?? "")")
        #expect(!r.audit.contains { $0.primitive.hasPrefix("unidesk.pg") }, "no connection was even opened")
    }

    @Test func planModeChecksTheFilesOnly() throws {
        let r = try run(recipe, mode: .plan(offline: false), vars: [("fixture", "clean")])
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(gate(r)["skipped"]?.stringValue?.contains("plan mode") == true)
        #expect(!r.audit.contains { $0.primitive.hasPrefix("unidesk.pg") }, "the plan opened no connection")
    }

    @Test func downScriptsGapsAndNamesProductionDisagreesWith() throws {
        let t = try TempRecipe([
            "m/001_create_items.up.sql": "CREATE TABLE items (id int);",
            "m/001_create_items.down.sql": "DROP TABLE item_typo;",
            "g/001_a.up.sql": "CREATE TABLE a (id int);",
            "g/003_c.up.sql": "CREATE TABLE c (id int);",
            "g/notes.sql": "-- not a migration",
            "recipe.lua": """
                local migrate = require "unidesk.migrate"
                local base = { admin_dsn = unidesk.env("MIGRATE_ADMIN_DSN"), owner_role = "gate_owner", app_role = "gate_app" }
                local function with(t) local o = {} for k, v in pairs(base) do o[k] = v end for k, v in pairs(t) do o[k] = v end return o end
                local down = migrate.smoke(with { dir = "m" })
                unidesk.output("down", { down.failure.phase, down.failure.file, down.failure.sqlstate })
                local gaps = migrate.smoke(with { dir = "g", applied = { { version = 1, name = "a" }, { version = 2, name = "b" } } })
                local kinds = {}
                for _, p in ipairs(gaps.problems) do kinds[#kinds + 1] = p.kind end
                table.sort(kinds)
                unidesk.output("gaps", kinds)
                local named = migrate.smoke(with { dir = "g", allow_gaps = true, applied = { { version = 1, name = "a" }, { version = 3, name = "c_renamed" } } })
                local mismatch
                for _, p in ipairs(named.problems) do if p.kind == "name_mismatch" then mismatch = p.message end end
                unidesk.output("named", { tostring(named.ok), named.applied, mismatch })
                local prod = require("unidesk.pg").connect(unidesk.env("MIGRATE_ADMIN_DSN"))
                assert(prod:exec("CREATE TABLE IF NOT EXISTS gate_applied (version int, name text)"))
                assert(prod:exec("TRUNCATE gate_applied; INSERT INTO gate_applied VALUES (1, 'a'), (3, 'see')"))
                local fromdb = migrate.smoke(with { dir = "g", allow_gaps = true, applied = { dsn = unidesk.env("MIGRATE_ADMIN_DSN"), table = "public.gate_applied" } })
                assert(prod:exec("DROP TABLE gate_applied"))
                unidesk.output("fromdb", fromdb.problems[#fromdb.problems].message)
                unidesk.output("text", migrate.format(down))
                local ok, err = pcall(migrate.smoke, { dir = "m", admin_dsn = "x", owner_role = "o", app_role = "a", bogus = 1 })
                unidesk.output("misuse", tostring(err))
                """])
        var o = EngineOptions()
        o.color = false
        o.stateDirectory = t.state
        try o.policy.add(allow: ["pg.exec:*"], deny: [])
        o.policy.secretEnv = ["MIGRATE_ADMIN_DSN"]
        o.environment = ["MIGRATE_ADMIN_DSN": try stackValue("UNIDESK_PG_ADMIN_DSN")]
        let r = Engine(options: o, libraries: Libraries.all).run(recipePath: "\(t.dir)/recipe.lua")
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = Dictionary(uniqueKeysWithValues: r.outputs)
        #expect(out["down"] == .array([.string("down"), .string("001_create_items.down.sql"), .string("42P01")]))
        #expect(out["gaps"] == .array([.string("applied_missing"), .string("gap"), .string("unrecognized_file")]),
                "version 2 is applied in production but has no file; 1 → 3 is a gap; notes.sql is not a migration")
        #expect(out["named"] == .array([.string("false"), .int(2),
                                        .string("version 3 is 'c_renamed' in production but '003_c.up.sql' here: the same slot holds another migration")]))
        #expect(out["fromdb"] == .string("version 3 is 'see' in production but '003_c.up.sql' here: the same slot holds another migration"))
        #expect(out["text"]?.stringValue?.contains("migration smoke FAILED at 001_create_items.down.sql (down, as role gate_app)") == true)
        #expect(out["misuse"]?.stringValue?.contains("bad argument #1 to 'unidesk.migrate.smoke' (unknown field 'bogus' (known fields: dir, admin_dsn, owner_role, app_role, baseline, applied, down, allow_gaps))") == true, "\(out["misuse"] ?? .null)")
        #expect(try leftovers() == 0)
    }

    @Test func theDeadlineStillDropsTheScratchDatabase() throws {
        let t = try TempRecipe([
            "m/001_slow.up.sql": "CREATE TABLE slow (id int);\nSELECT pg_sleep(30);",
            "recipe.lua": """
                local migrate = require "unidesk.migrate"
                migrate.smoke { dir = "m", admin_dsn = unidesk.env("MIGRATE_ADMIN_DSN"), owner_role = "gate_owner", app_role = "gate_app" }
                """])
        var o = EngineOptions()
        o.color = false
        o.timeout = 2
        o.stateDirectory = t.state
        try o.policy.add(allow: ["pg.exec:*"], deny: [])
        o.policy.secretEnv = ["MIGRATE_ADMIN_DSN"]
        o.environment = ["MIGRATE_ADMIN_DSN": try stackValue("UNIDESK_PG_ADMIN_DSN")]
        let r = Engine(options: o, libraries: Libraries.all).run(recipePath: "\(t.dir)/recipe.lua")
        #expect(r.exitCode == .limit || r.exitCode == .recipeFailed, "\(r.exitCode)")
        #expect(try leftovers() == 0, "the host dropped the scratch database and roles after the deadline")
        #expect(r.audit.contains { $0.message == nil && ($0.arguments.arrayValue?.first?.stringValue?.hasPrefix("DROP DATABASE") ?? false) })
    }
}
