-- desired-state: validate a desired-state file and normalise it into one row per service
-- and environment, flagging environments whose image tag is not the desired commit.
-- Reads only the recipe's own directory; writes one summary under the state directory.
local yaml = require "unidesk.yaml"
local json = require "unidesk.json"
local fs = require "unidesk.fs"
local rows_of = require "rows"

local file = unidesk.vars.file or "desired.yaml"

local desired = unidesk.step("read " .. file, function()
  return yaml.decode(fs.read(file))
end)

local rows, problems = unidesk.step("normalise", function()
  return rows_of(desired)
end)

unidesk.step("report", function()
  print(string.format("%-12s %-5s %-10s %-10s %s", "service", "env", "desired", "image", "status"))
  for _, r in ipairs(rows) do
    print(string.format("%-12s %-5s %-10s %-10s %s", r.service, r.env, r.desired_commit, r.image_tag, r.status))
  end
  for _, p in ipairs(problems) do unidesk.log.warn(p) end
  fs.write("desired-state/summary.json", json.encode({ rows = rows, problems = problems }, { pretty = true }))
  unidesk.output("rows", #rows)
  unidesk.output("drifted", #problems)
end)

if unidesk.vars.strict == "true" and #problems > 0 then
  unidesk.fail(#problems .. " environment(s) drift from the desired commit")
end
