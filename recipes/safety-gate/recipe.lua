-- safety-gate: before any upgrade. A major bump of either version part (recipe or upstream)
-- or release notes that mention a manual step: hold, raise an alert with the reasons, touch
-- nothing. Otherwise: proceed (exit 0).
--
--   unidesk run recipes/safety-gate/recipe.lua --var app=shop --var target=2.0.0+16.1 \
--     --var notes=fixtures/notes-2.0.0.md --allow 'state.set:alerts/*'
local state = require "unidesk.state"
local alert = require "unidesk.alert"
local fs = require "unidesk.fs"
local gate = require "gate"

local app = unidesk.vars.app or unidesk.fail("--var app=NAME is required")
local target = unidesk.vars.target or unidesk.fail("--var target=VERSION is required")
local last_good = state.get(app .. "/last-good")
local current = unidesk.vars.current or (last_good and last_good.version)
if not current then
  unidesk.fail("no current version for " .. app .. ": pass --var current=VERSION or record a last-good first")
end
local notes = unidesk.vars.notes and fs.read(unidesk.vars.notes) or ""

local result = unidesk.step("decide " .. current .. " → " .. target, function()
  return gate.decide(current, target, notes)
end)
unidesk.output("decision", result.decision)
unidesk.output("reasons", result.reasons)
if result.decision == "hold" then
  alert.raise { kind = "held", app = app, severity = "warning", attempted = target, last_good = current, recovered = true,
    notes = table.concat(result.reasons, "; ") }
  unidesk.fail("held: " .. table.concat(result.reasons, "; "))
end
print(app .. ": " .. current .. " → " .. target .. " may proceed")
