-- migration-gate: before any deploy, apply the pending migrations to a scratch database
-- on the real server, as the role production deploys with. Catches what a linter cannot:
-- a migration that needs the table owner's privileges (42501), one that uses a column an
-- earlier migration dropped, two migrations in one version slot.
--
--   MIGRATE_ADMIN_DSN=postgresql://admin@db:5432/postgres \
--   unidesk run recipes/migration-gate/recipe.lua --secret-env MIGRATE_ADMIN_DSN \
--     --allow 'pg.exec:*' --var fixture=ownership
local migrate = require "unidesk.migrate"
local json = require "unidesk.json"

local fixture = unidesk.vars.fixture or "clean"
local dir = unidesk.vars.dir or ("fixtures/" .. fixture .. "/migrations")
-- The fixtures share one baseline: production's schema, created by the owner role.
local baseline = unidesk.vars.baseline or (unidesk.vars.dir == nil and "fixtures/baseline.sql" or nil)

local report = unidesk.step("smoke " .. dir, function()
  return migrate.smoke {
    dir = dir,
    baseline = baseline,
    admin_dsn = unidesk.env("MIGRATE_ADMIN_DSN"),
    owner_role = unidesk.vars.owner_role or "app_owner",
    app_role = unidesk.vars.app_role or "app",
  }
end)

print(migrate.format(report))
unidesk.output("migration_gate", {
  ok = report.ok, applied = report.applied, migrations = report.migrations,
  failure = report.failure or json.null, problems = report.problems, skipped = report.skipped,
})
if not report.ok then
  local f = report.failure
  unidesk.fail(f and string.format("%s: %s%s", f.file or "baseline", f.sqlstate and ("SQLSTATE " .. f.sqlstate .. " ") or "", f.message)
    or ("migration files are inconsistent: " .. report.problems[1].message))
end
