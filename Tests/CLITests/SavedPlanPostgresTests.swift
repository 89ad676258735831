import Foundation
import Testing
import UnideskProcess
import UnideskTestSupport

/// `unidesk plan --out` then `unidesk apply` of a migration script (`conn:script` of a file
/// of the recipe's directory) against the stack's PostgreSQL, each test with a table of
/// its own, checked on the server with psql.
@Suite("CLI saved plans: PostgreSQL")
struct SavedPlanPostgresTests {
    static let recipe = """
        local pg = require "unidesk.pg"
        local fs = require "unidesk.fs"
        local conn = pg.connect(unidesk.env("DSN"))
        assert(conn:script(fs.read(unidesk.vars.migration)))
        """

    let table = "t_i18l_\(UUID().uuidString.prefix(8).lowercased())"

    func dsn() throws -> String { try StackEnvironment.postgres.value("UNIDESK_PG_ADMIN_DSN") }

    /// `psql -Atc sql` as the admin: its output lines.
    func psql(_ sql: String) throws -> [String] {
        let r = try Command.run(["psql", try dsn(), "-v", "ON_ERROR_STOP=1", "-Atc", sql], environment: ProcessInfo.processInfo.environment, timeout: 30)
        try #require(r.status == 0, "psql \(sql): \(r.stderrTail())")
        return r.stdoutText.split(separator: "\n").map(String.init)
    }

    func tableExists() throws -> Bool { try psql("select to_regclass('\(table)') is not null") == ["t"] }

    func drop() { _ = try? psql("drop table if exists \(table)") }

    /// The recipe with migrations/001.sql (the table and two rows) and 002.sql.
    func migration() throws -> RecipeRun {
        let r = try RecipeRun(Self.recipe)
        try r.dir.write("migrations/001.sql", "CREATE TABLE \(table) (id int PRIMARY KEY, name text);\nINSERT INTO \(table) VALUES (1, 'a'), (2, 'b');\n")
        try r.dir.write("migrations/002.sql", "CREATE TABLE \(table) (id int PRIMARY KEY);\n")
        return r
    }

    func grants(_ migration: String = "migrations/001.sql") -> [String] {
        ["--secret-env", "DSN", "--allow", "pg.exec:*", "--var", "migration=\(migration)"]
    }

    @Test("plan → apply runs the migration: the table and its rows exist; the DSN is not in the plan")
    func applied() throws {
        let r = try migration()
        defer { r.remove(); drop() }
        let env = ["DSN": try dsn()]
        let plan = try r.planOut(grants(), environment: env)
        #expect(plan.exitCode == 0, "\(plan.summary)")
        #expect(try !tableExists(), "the plan verified the script by rollback")
        let dsn = try dsn()
        #expect(!r.planText.isEmpty && !r.planText.contains(dsn), "the DSN is in plan.json")
        let password = try StackEnvironment.postgres.value("UNIDESK_PG_ADMIN_PASSWORD")
        #expect(!r.planText.contains(password), "the password is in plan.json")

        let apply = try r.apply(grants(), environment: env)
        #expect(apply.exitCode == 0, "\(apply.summary)")
        #expect(apply.stderr.contains("Applied 1 of 1 planned write."), "\(apply.summary)")
        #expect(try psql("select id || ':' || name from \(table) order by id") == ["1:a", "2:b"])
    }

    @Test("the migration file edited after the plan: exit 6 before anything runs, no table on the server")
    func migrationEdited() throws {
        let r = try migration()
        defer { r.remove(); drop() }
        let env = ["DSN": try dsn()]
        #expect(try r.planOut(grants(), environment: env).exitCode == 0)
        try r.dir.write("migrations/001.sql", "CREATE TABLE \(table) (id int PRIMARY KEY, name text);\nINSERT INTO \(table) VALUES (1, 'a'), (2, 'b'), (3, 'c');\n")

        let apply = try r.apply(grants(), environment: env)
        #expect(apply.exitCode == 6, "\(apply.summary)")
        #expect(apply.stderr.contains("error: drift: migrations/001.sql changed since the plan"), "\(apply.summary)")
        #expect(try !tableExists())
    }

    @Test("apply with another --var than the plan's: exit 2, no table on the server")
    func otherVar() throws {
        let r = try migration()
        defer { r.remove(); drop() }
        let env = ["DSN": try dsn()]
        #expect(try r.planOut(grants(), environment: env).exitCode == 0)

        let apply = try r.apply(grants("migrations/002.sql"), environment: env)
        #expect(apply.exitCode == 2, "\(apply.summary)")
        #expect(apply.stderr.contains("error: the vars differ from the plan's: migration: plan 'migrations/001.sql', now 'migrations/002.sql'"), "\(apply.summary)")
        #expect(try !tableExists())
    }

    /// A script's text comes from a read after the first write (not compared: it may be the
    /// run's own doing), so only the write's own arguments can tell it changed.
    @Test("a script whose text changed after the plan: exit 6 at the script, nothing run on the server")
    func scriptTextCompared() throws {
        let r = try RecipeRun("""
            local pg = require "unidesk.pg"
            local state = require "unidesk.state"
            local conn = pg.connect(unidesk.env("DSN"))
            state.set("marker", "migrating")
            assert(conn:script(state.get("migration")))
            """)
        defer { r.remove(); drop() }
        let env = ["DSN": try dsn()]
        let grants = ["--secret-env", "DSN", "--allow", "pg.exec:*", "--allow", "state.*"]
        let set = #"require("unidesk.state").set("migration", unidesk.vars.sql)"#
        try r.runOther("set.lua", set, ["--allow", "state.*", "--var", "sql=CREATE TABLE \(table) (id int PRIMARY KEY);"])
        #expect(try r.planOut(grants, environment: env).exitCode == 0)
        try r.runOther("set.lua", set, ["--allow", "state.*", "--var", "sql=CREATE TABLE \(table) (id int PRIMARY KEY, changed text);"])

        let apply = try r.apply(grants, environment: env)
        #expect(apply.exitCode == 6, "\(apply.summary)")
        #expect(apply.stderr.contains("Drift: pg.exec:") && apply.stderr.contains("its arguments differ from the plan's")
                && apply.stderr.contains("changed text"), "\(apply.summary)")
        #expect(try !tableExists(), "the changed script was not run")
        #expect(r.stored("marker") == "\"migrating\"", "the write before it was performed")
    }
}
