-- compose-consumer: deploy the desired commit of one service from its published artifact,
-- pinned by digest, pull-only; verify what runs; on a mismatch or an unhealthy container,
-- recreate the previous digest and fail.
--
--   unidesk run recipes/compose-consumer/recipe.lua --var repo=REG/unidesk/demo --var commit=SHA \
--     --var port=18080 --allow 'compose.*'
--
-- With --var migrations=DIR (and --secret-env MIGRATE_ADMIN_DSN --allow 'pg.exec:*'), the
-- migration gate runs first: a migration that fails as the deploy role stops the deploy
-- before the registry or the engine is asked anything.
local consumer = require "consumer"
local migrate = require "unidesk.migrate"
local v = unidesk.vars
local gate = migrate.from_vars(v)
if gate then unidesk.step("migration gate", function() migrate.gate(gate) end) end
local result = unidesk.step("deploy " .. tostring(v.commit), function()
  return consumer.run {
    project = v.project or "demo", dir = "deploy", service = v.service or "web", image_var = "DEMO_IMAGE",
    repo = v.repo or unidesk.fail("--var repo=REGISTRY/REPOSITORY is required"),
    commit = v.commit or unidesk.fail("--var commit=SHA is required"),
    health = "http://127.0.0.1:" .. (v.port or "18080") .. "/health", timeout = tonumber(v.timeout or "30"),
    env = { DEMO_PORT = v.port or "18080" },
  }
end)
unidesk.output("deploy", result)
if result.outcome == "planned" then
  print("plan: deploy " .. v.commit .. " as " .. (result.digest or "its digest (unknown: plan --offline asked no registry)"))
else
  print("deployed " .. v.commit .. " as " .. result.digest)
end
