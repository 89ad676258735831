import UnideskCore

/// `require "unidesk.migrate"`: stdlib Lua over unidesk.pg (stdlib/unidesk/migrate.lua).
/// Described here so its reference and stubs come from the same generator.
public enum MigrateLibrary {
    /// smoke's options, which gate takes too.
    static let options = LuaType.record([
        Param("dir", .string, "the migrations directory, in the recipe's directory"),
        Param("admin_dsn", .stringOrSecret, "a role that may CREATE DATABASE and CREATE ROLE and SET ROLE to both roles (a superuser in practice)"),
        Param("owner_role", .string, "owns the database and the baseline's tables, as in production"),
        Param("app_role", .string, "runs the migrations: production's deploy role"),
        Param("baseline", .oneOf([.string, .integer]), optional: true, "a SQL file applied as the owner first (production's schema), or a version: migrations up to it are applied as the owner"),
        Param("applied", .oneOf([
            .record([Param("dsn", .stringOrSecret, optional: true, ""), Param("table", .string, optional: true, "default schema_migrations (columns version, name)")]),
            .array(.record([Param("version", .oneOf([.integer, .string]), ""), Param("name", .string, optional: true, "")])),
        ]), optional: true, "production's applied migrations to compare names with; a list of {version=, name=} is accepted too"),
        Param("down", .boolean, optional: true, "smoke the down scripts (default true)"),
        Param("allow_gaps", .boolean, optional: true, "version gaps are not problems (default false)"),
    ])

    static let smoke = PrimitiveSpec(
        module: "migrate", name: "smoke",
        summary: """
        The migration gate. Creates a scratch database (owned by owner_role) and the two roles if they do not exist, applies the baseline as the owner, then every NNN_name.up.sql in version order as app_role, the role production deploys with; each file is one transaction (a file with CREATE INDEX CONCURRENTLY runs statement by statement). After each up that has a NNN_name.down.sql: down, then up again. Stops at the first failure and reports its file, phase, role, SQLSTATE, statement and line. Before touching the server it checks the files: two migrations in one version slot, gaps, a down without an up, names that disagree with the applied migrations (then nothing is run for duplicates or an applied version with no file). The scratch database and the roles it created are dropped at the end, on failure too. In plan mode only the file checks run.
        """,
        params: [Param("options", options, "")],
        returns: [("{ok: boolean, applied: integer, migrations: integer, database?: string, failure?: table, problems: table[], skipped?: string, planned?: boolean}", "report",
                   "failure = {file, version, phase = up|down|up after down|baseline, role, sqlstate, message, detail, hint, statement, line}; problems = {kind = duplicate_version|gap|orphan_down|unrecognized_file|name_mismatch|applied_missing, message, …}")],
        errors: ["raises what pg.connect raises (the admin DSN is unreachable or refused)",
                 "needs grants for pg.exec on the admin database, the scratch database (unidesk_smoke_*) and the two roles; `--allow 'pg.exec:*'` covers them"],
        example: """
        local report = migrate.smoke{ dir = "migrations", admin_dsn = unidesk.env("ADMIN_DSN"), owner_role = "app_owner", app_role = "app", baseline = "schema.sql" }
        print(migrate.format(report))
        if not report.ok then unidesk.fail("migration gate: " .. (report.failure and report.failure.message or report.problems[1].message)) end
        """)
    static let scan = PrimitiveSpec(
        module: "migrate", name: "scan",
        summary: "Reads a migrations directory without touching a database: the migrations in version order and the problems with the set (as smoke's report.problems).",
        params: [Param("dir", .string, ""), Param("options", .record([Param("allow_gaps", .boolean, optional: true, "")]), optional: true, "")],
        returns: [("table[]", "migrations", "{version, name, file, down?}"), ("table[]", "problems", "")])
    static let format = PrimitiveSpec(
        module: "migrate", name: "format",
        summary: "A smoke report as lines for a CI log: the failure with its SQLSTATE, detail, hint and statement, then the problems.",
        params: [Param("report", .any, "what smoke returned")],
        returns: [("string", "text", "")])

    static let gate = PrimitiveSpec(
        module: "migrate", name: "gate",
        summary: "The migration gate as the first step of a deploy: runs smoke with the same options, prints format's lines, adds the report to the run's outputs as migration_gate {ok, applied, migrations, failure, problems, skipped}, and raises when it did not pass, before the deploy has touched anything. Returns the report when it passed (in plan mode: the file checks only).",
        params: [Param("options", options, "smoke's options")],
        returns: [("table", "report", "smoke's report, ok = true")],
        errors: ["kind = migration_failed: message names the file, line and SQLSTATE (or the first problem with the set of files); the error's report field is smoke's report",
                 "raises what smoke raises"],
        example: """
        unidesk.step("migration gate", function()
          migrate.gate{ dir = "migrations", admin_dsn = unidesk.env("MIGRATE_ADMIN_DSN"), owner_role = "app_owner", app_role = "app", baseline = "schema.sql" }
        end)
        """)

    static let fromVars = PrimitiveSpec(
        module: "migrate", name: "from_vars",
        summary: "The gate's options as deploy recipes take them: --var migrations=DIR (nil without it: no gate), baseline, owner_role (default app_owner), app_role (default app), and the admin DSN from the environment variable MIGRATE_ADMIN_DSN (pass it with --secret-env).",
        params: [Param("vars", .map(.any), "unidesk.vars")],
        returns: [("table?", "options", "for gate, or nil")],
        example: """
        local gate = migrate.from_vars(unidesk.vars)
        if gate then unidesk.step("migration gate", function() migrate.gate(gate) end) end
        """)

    public static let library = HostLibrary(
        name: "migrate", summary: "The migration gate: pending migrations applied as the deploy role on a scratch database.",
        specs: [smoke, gate, fromVars, scan, format]
    ) { _ in [] }
}
