-- upgrade-base: choose the base to upgrade from (override → last green → branch tip → skip),
-- deploy it with the recipe's previous/ overlay, then upgrade to the head without it;
-- services the head no longer defines are removed.
--
--   unidesk run recipes/upgrade-base/recipe.lua --var repo=REG/unidesk/demo --var head=v2 \
--     [--var base=v1] [--var branch_tip=v1] --allow 'compose.*' --allow 'state.*'
--     [--var migrations=DIR --var baseline=FILE --secret-env MIGRATE_ADMIN_DSN --allow 'pg.exec:*']
local base = require "base"
local state = require "unidesk.state"
local migrate = require "unidesk.migrate"
local v = unidesk.vars
local app = v.app or "demo"
local chosen, source = base.choose(app, { override = v.base, branch_tip = v.branch_tip })
unidesk.output("base", { version = chosen or unidesk.null, source = source })
if not chosen then
  print(source)
  return
end
-- With --var migrations=DIR: the head's migrations pass the gate before anything is deployed.
local gate = migrate.from_vars(v)
if gate then unidesk.step("migration gate", function() migrate.gate(gate) end) end
print("upgrading " .. app .. " from " .. chosen .. " (" .. source .. ") to " .. v.head)
base.upgrade {
  project = v.project or app, dir = "deploy", files = { "deploy/compose.yaml" }, previous = "deploy/previous/compose.yaml",
  image_var = "DEMO_IMAGE", repo = v.repo or unidesk.fail("--var repo= is required"),
  base = chosen, head = v.head or unidesk.fail("--var head= is required"), env = { DEMO_PORT = v.port or "18080" },
}
state.set(app .. "/last-green", { version = v.head })
