-- migration-gate: before any deploy, apply the pending migrations to a scratch database
-- on the real server, as the role production deploys with. Catches what a linter cannot:
-- a migration that needs the table owner's privileges (42501), one that uses a column an
-- earlier migration dropped, two migrations in one version slot.
--
--   MIGRATE_ADMIN_DSN=postgresql://admin@db:5432/postgres \
--   unidesk run recipes/migration-gate/recipe.lua --secret-env MIGRATE_ADMIN_DSN \
--     --allow 'pg.exec:*' --var fixture=ownership
--
-- A deploy recipe runs the same gate as its first step: migrate.gate{…} (see the README).
local migrate = require "unidesk.migrate"

local fixture = unidesk.vars.fixture or "clean"
local dir = unidesk.vars.dir or ("fixtures/" .. fixture .. "/migrations")
-- The fixtures share one baseline: production's schema, created by the owner role.
local baseline = unidesk.vars.baseline or (unidesk.vars.dir == nil and "fixtures/baseline.sql" or nil)

local ok, err = pcall(unidesk.step, "smoke " .. dir, function()
  return migrate.gate {
    dir = dir,
    baseline = baseline,
    admin_dsn = unidesk.env("MIGRATE_ADMIN_DSN"),
    owner_role = unidesk.vars.owner_role or "app_owner",
    app_role = unidesk.vars.app_role or "app",
  }
end)
if not ok then
  if type(err) == "table" and err.kind == "migration_failed" then unidesk.fail((err.message:gsub("^migration gate: ", ""))) end
  error(err, 0)
end
