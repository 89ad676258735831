-- health-gated-upgrade: record last-good → stop → snapshot → deploy the new version → health
-- gate → commit the new last-good; or restore the snapshot, redeploy the prior version and
-- raise an alert. Data written before the upgrade survives a failed one.
--
--   unidesk run recipes/health-gated-upgrade/recipe.lua --var target=v2 --var repo=REG/unidesk/demo \
--     --var port=18080 --allow 'compose.*' --allow 'snapshot.*' --allow 'state.*'
local state = require "unidesk.state"
local upgrade = require "upgrade"
local migrate = require "unidesk.migrate"

local v = unidesk.vars
local cfg = {
  app = v.app or "demo", project = v.project or "demo", dir = "deploy", service = "web",
  image_var = "DEMO_IMAGE", repo = v.repo or unidesk.fail("--var repo=REGISTRY/REPOSITORY is required"),
  target = v.target or unidesk.fail("--var target=TAG is required"),
  health = "http://127.0.0.1:" .. (v.port or "18080") .. "/health",
  volumes = { (v.project or "demo") .. "_data" },
  env = { DEMO_PORT = v.port or "18080", DEMO_WORKER_IMAGE = v.worker_image },
  timeout = tonumber(v.timeout or "60"), restart = { "worker" },
  -- --var migrations=DIR: the migration gate first (admin DSN from MIGRATE_ADMIN_DSN).
  migrations = migrate.from_vars(v),
}
local result = state.lock(cfg.app, function() return upgrade.run(cfg) end, { timeout = 60 })
unidesk.output("upgrade", result)
if result.outcome == "planned" then
  print(cfg.app .. ": upgrade to " .. cfg.target .. " planned; its health gate runs only in a run")
  return
end
if result.outcome ~= "upgraded" then
  unidesk.fail("upgrade to " .. cfg.target .. " " .. (result.outcome == "held" and "held" or "rolled back") .. ": " .. result.reason)
end
print(cfg.app .. " upgraded to " .. tostring(result.version))
