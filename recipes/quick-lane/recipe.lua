-- quick-lane: upgrade the warm canonical to the head, run the assertions, and put it back:
-- PASS → undeploy, keep the volume; FAIL → restore the known-good snapshot, undeploy. Never
-- promotes. No canonical (or no known-good snapshot): with --var base, the cold path deploys
-- the base, keeps it as the warm canonical and tests the head the same way; without, says so.
--
--   unidesk run recipes/quick-lane/recipe.lua --var head=REG/unidesk/demo:v2 --var port=18080 \
--     --allow 'compose.*' --allow 'snapshot.*' [--var base=REG/unidesk/demo:v1 --allow 'state.set:*/canonical']
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
  -- The cold path, when there is no warm canonical: --var base=IMAGE (the known-good).
  base = v.base, volumes = { (v.project or "demo") .. "_data" },
  check = function()
    http.wait("http://127.0.0.1:" .. port .. "/health", { timeout = 30, interval = 0.5 })
  end,
}
unidesk.output("quick_lane", r)
if r.planned then
  print((r.path == "cold" and "cold path" or "quick lane") .. " planned: the head's check runs only in a run; known-good "
    .. (r.known_good or "(the snapshot a run would take)"))
  return
end
if r.passed == nil then print("quick lane not possible (" .. r.reason .. "): give --var base=IMAGE to run the cold path") return end
local lane = r.path == "cold" and ("cold path (" .. r.reason .. ")") or "quick lane"
if not r.passed then
  -- People hear of a failed head when the run may record alerts (--allow 'state.set:alerts/*'),
  -- through the operator's sinks; without that grant the run's failure is the only signal.
  local app = v.app or "demo"
  if unidesk.can("state.set:alerts/" .. app .. "/x") then
    require("unidesk.alert").raise { kind = "quick_lane_failed", app = app, severity = "warning", attempted = v.head,
      last_good = r.known_good, recovered = true, notes = lane .. ": " .. tostring(r.error) }
  end
  unidesk.fail(lane .. " FAILED: " .. r.error .. " (known-good " .. r.known_good .. " restored)")
end
print(lane .. " passed; known-good " .. r.known_good .. (r.path == "cold" and " (the base, now the warm canonical)" or " unchanged"))
