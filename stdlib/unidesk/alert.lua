-- unidesk.alert: alert records in the state store, the report's outputs and the log.
local state = require "unidesk.state"
local time = require "unidesk.time"
local M = {}

local raised = {}
local sequence = 0

local fields = { kind = "string", app = "string", attempted = "string", last_good = "string", recovered = "boolean", notes = "string" }

function M.raise(a)
  if type(a) ~= "table" then error("bad argument #1 to 'unidesk.alert.raise' (table expected, got " .. type(a) .. ")", 2) end
  for k, v in pairs(a) do
    if fields[k] == nil then error("bad argument #1 to 'unidesk.alert.raise' (unknown field '" .. tostring(k) .. "')", 2) end
    if type(v) ~= fields[k] then
      error("bad argument #1 to 'unidesk.alert.raise' (field '" .. k .. "': " .. fields[k] .. " expected, got " .. type(v) .. ")", 2)
    end
  end
  for _, k in ipairs { "kind", "app" } do
    if a[k] == nil then error("bad argument #1 to 'unidesk.alert.raise' (field '" .. k .. "' is required)", 2) end
  end
  local now = time.now()
  local record = { at = time.iso(now) }
  for k in pairs(fields) do record[k] = a[k] end
  -- Keys sort in the order alerts were raised: milliseconds, then this run's sequence
  -- (two alerts of one second used to sort by their random suffix).
  sequence = sequence + 1
  local stamp = record.at:gsub("[^%dT]", "") .. string.format("%03dZ-%04d-%04x", math.floor(now * 1000) % 1000, sequence, math.random(0, 0xffff))
  state.set("alerts/" .. a.app .. "/" .. stamp, record)
  raised[#raised + 1] = record
  unidesk.output("alerts", raised)
  unidesk.log.warn(string.format("alert %s for %s: attempted %s, last good %s, recovered %s%s", a.kind, a.app,
    tostring(a.attempted or "-"), tostring(a.last_good or "-"), tostring(a.recovered == true), a.notes and (": " .. a.notes) or ""))
  return record
end

function M.list(app)
  if type(app) ~= "string" then error("bad argument #1 to 'unidesk.alert.list' (string expected, got " .. type(app) .. ")", 2) end
  local out = {}
  for _, k in ipairs(state.keys("alerts/" .. app .. "/")) do out[#out + 1] = state.get(k) end
  return out
end

return M
