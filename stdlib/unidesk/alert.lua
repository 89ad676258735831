-- unidesk.alert: alert records in the state store, the report's outputs and the log.
local state = require "unidesk.state"
local time = require "unidesk.time"
local M = {}

local raised = {}
local sequence = 0

-- The record's fields (their types are checked against the spec).
local fields = { "kind", "app", "attempted", "last_good", "recovered", "notes" }

function M.raise(a)
  check("alert.raise", a)
  local now = time.now()
  local record = { at = time.iso(now) }
  for _, k in ipairs(fields) do record[k] = a[k] end
  -- Keys sort in the order alerts were raised: milliseconds, then this run's sequence
  -- (two alerts of one second used to sort by their random suffix).
  sequence = sequence + 1
  local stamp = record.at:gsub("[^%dT]", "") .. string.format("%03dZ-%04d-%04x", math.floor(now * 1000) % 1000, sequence, math.random(0, 0xffff))
  -- Keyed and stamped by the time: a saved plan's apply cannot write the key the plan saw.
  unidesk.volatile(state.set, "alerts/" .. a.app .. "/" .. stamp, record)
  raised[#raised + 1] = record
  unidesk.output("alerts", raised)
  unidesk.log.warn(string.format("alert %s for %s: attempted %s, last good %s, recovered %s%s", a.kind, a.app,
    tostring(a.attempted or "-"), tostring(a.last_good or "-"), tostring(a.recovered == true), a.notes and (": " .. a.notes) or ""))
  return record
end

function M.list(app)
  check("alert.list", app)
  local out = {}
  for _, k in ipairs(state.keys("alerts/" .. app .. "/")) do out[#out + 1] = state.get(k) end
  return out
end

return M
