-- artifact-lane: for every service and environment in a desired-state file, whether the
-- desired commit's artifact was published, which commit runs where, and the next action.
-- Prints a table, writes the rows as JSON under the state directory, changes nothing else.
--
--   unidesk run recipes/artifact-lane/recipe.lua --var file=desired.yaml \
--     --allow 'fs.write:artifact-lane/*'
local yaml = require "unidesk.yaml"
local json = require "unidesk.json"
local fs = require "unidesk.fs"
local lane = require "lane"

local file = unidesk.vars.file or "desired.yaml"
local desired = unidesk.step("read " .. file, function() return yaml.decode(fs.read(file)) end)
local rows = unidesk.step("inspect", function() return lane.rows(desired) end)

local function cut(s, n) s = tostring(s or "-"); return #s > n and (s:sub(1, n - 1) .. "…") or s end
print(string.format("%-10s %-12s %-8s %-22s %-22s %s", "service", "desired", "artifact", "dev", "prod", "action"))
for _, r in ipairs(rows) do
  print(string.format("%-10s %-12s %-8s %-22s %-22s %s", cut(r.service, 10), cut(r.desiredCommit, 12),
    r.artifactExists and "yes" or (r.artifactExists == nil and "?" or "NO"), cut(r.devStatus, 22), cut(r.prodStatus, 22), r.recommendedAction))
end
unidesk.step("write rows", function()
  fs.write("artifact-lane/rows.json", json.encode(rows, { pretty = true }))
end)
unidesk.output("rows", rows)
