-- quick-lane: upgrade the warm canonical to the head, run the assertions, and put it back:
-- PASS → undeploy, keep the volume; FAIL → restore the known-good snapshot, undeploy. Never
-- promotes. No canonical (or no known-good snapshot): says so, and the cold path runs.
--
--   unidesk run recipes/quick-lane/recipe.lua --var head=REG/unidesk/demo:v2 --var port=18080 \
--     --allow 'compose.*' --allow 'snapshot.*'
--     [--var migrations=DIR --var baseline=FILE --secret-env MIGRATE_ADMIN_DSN --allow 'pg.exec:*']
local quick = require "quick"
local http = require "unidesk.http"
local migrate = require "unidesk.migrate"
local v = unidesk.vars
-- With --var migrations=DIR: the head's migrations pass the gate before the canonical is touched.
local gate = migrate.from_vars(v)
if gate then unidesk.step("migration gate", function() migrate.gate(gate) end) end
local port = v.port or "18080"
local r = quick.run {
  app = v.app or "demo", project = { project = v.project or "demo", dir = "deploy", env = { DEMO_PORT = port } },
  head = v.head or unidesk.fail("--var head=IMAGE is required"), image_var = "DEMO_IMAGE",
  check = function()
    http.wait("http://127.0.0.1:" .. port .. "/health", { timeout = 30, interval = 0.5 })
  end,
}
unidesk.output("quick_lane", r)
if r.path == "cold" then print("quick lane not possible (" .. r.reason .. "): run the cold path") return end
if not r.passed then unidesk.fail("quick lane FAILED: " .. r.error .. " (known-good " .. r.known_good .. " restored)") end
print("quick lane passed; known-good " .. r.known_good .. " unchanged")
