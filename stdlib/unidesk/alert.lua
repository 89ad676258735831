-- unidesk.alert: alerts recorded in the state store, the report's outputs and the log, and
-- delivered to the operator's sinks (the host's _deliver: one gated http.post per sink).
-- A missed delivery is kept: the record names the sinks it missed (`undelivered`) and the
-- app's outbox (the key alerts/<app>: the keys of its records a sink still misses) lets the
-- next run that raises or lists alerts deliver it. Both are under alerts/, so the grant
-- state.set:alerts/* covers everything alert writes to the state store.
local _, host = ...
local state = require "unidesk.state"
local time = require "unidesk.time"
local M = {}

local raised = {}
local sequence = 0

-- The record's fields (their types are checked against the spec).
local fields = { "kind", "app", "severity", "attempted", "last_good", "recovered", "notes" }

local function sorted_keys(t)
  local out = {}
  for k in pairs(t or {}) do out[#out + 1] = k end
  table.sort(out)
  return out
end

-- The app's outbox: alerts/<app> (not under alerts/<app>/, so alert.list never sees it).
local function outbox_key(app) return "alerts/" .. app end

-- Adds or removes a record's key in its app's outbox (written only when it changes).
local function mark(record, key, pending)
  local box = state.get(outbox_key(record.app))
  box = type(box) == "table" and box or {}
  local found
  for i, k in ipairs(box) do if k == key then found = i end end
  if pending and not found then
    box[#box + 1] = key
  elseif not pending and found then
    table.remove(box, found)
  else
    return
  end
  state.set(outbox_key(record.app), box)
end

-- Delivers the record stored at `key` to `names` (default: every sink) and keeps the outcome
-- in it: `delivered` (sink names), `undelivered` ({sink = error}), and the outbox entry while
-- a sink is missing it. In plan mode the deliveries are only planned and nothing is kept.
local function deliver(key, record, names)
  local r = host._deliver(record, names)
  if r.planned then return end
  local delivered, undelivered = {}, {}
  for _, n in ipairs(record.delivered or {}) do delivered[n] = true end
  for n, e in pairs(record.undelivered or {}) do undelivered[n] = e end
  for _, n in ipairs(r.delivered) do delivered[n] = true; undelivered[n] = nil end
  for n, e in pairs(r.undelivered) do undelivered[n] = e end
  for _, n in ipairs(r.gone) do
    undelivered[n] = nil
    unidesk.log.warn(string.format("alert %s: the sink '%s' it was not delivered to is no longer configured; dropped", record.id, n))
  end
  record.delivered = #sorted_keys(delivered) > 0 and sorted_keys(delivered) or nil
  record.undelivered = next(undelivered) and undelivered or nil
  state.set(key, record)
  mark(record, key, record.undelivered ~= nil)
  if record.undelivered then
    for _, n in ipairs(sorted_keys(undelivered)) do
      unidesk.log.warn(string.format("alert %s (%s for %s) not delivered to %s: %s; kept, the next run that raises or lists alerts delivers it",
        record.id, record.kind, record.app, n, undelivered[n]))
    end
  end
end

-- Earlier runs' undelivered alerts, to the sinks that missed them.
local function deliver_pending()
  if #host._sinks() == 0 then return end
  for _, box in ipairs(state.keys("alerts/")) do
    if not box:find("/", #"alerts/" + 1, true) then   -- alerts/<app>: an outbox
      local keys = state.get(box)
      for _, key in ipairs(type(keys) == "table" and keys or {}) do
        local record = state.get(key)
        if type(record) == "table" and record.undelivered then
          deliver(key, record, sorted_keys(record.undelivered))
        elseif type(record) == "table" then
          mark(record, key, false)
        end
      end
    end
  end
end

function M.raise(a)
  check("alert.raise", a)
  local now = time.now()
  local record = { at = time.iso(now) }
  for _, k in ipairs(fields) do record[k] = a[k] end
  record.severity = record.severity or "warning"
  -- Keys sort in the order alerts were raised: milliseconds, then this run's sequence
  -- (two alerts of one second used to sort by their random suffix).
  sequence = sequence + 1
  local stamp = record.at:gsub("[^%dT]", "") .. string.format("%03dZ-%04d-%04x", math.floor(now * 1000) % 1000, sequence, math.random(0, 0xffff))
  local key = "alerts/" .. a.app .. "/" .. stamp
  record.id = a.app .. "/" .. stamp
  -- Keyed and stamped by the time: a saved plan's apply cannot write the key the plan saw,
  -- and a delivery's outcome is not the plan's to compare.
  unidesk.log.warn(string.format("alert %s for %s: attempted %s, last good %s, recovered %s%s", a.kind, a.app,
    tostring(a.attempted or "-"), tostring(a.last_good or "-"), tostring(a.recovered == true), a.notes and (": " .. a.notes) or ""))
  unidesk.volatile(function()
    state.set(key, record)   -- kept before anything is sent: a failed delivery loses nothing
    deliver_pending()
    if #host._sinks() > 0 then deliver(key, record) end
  end)
  raised[#raised + 1] = record
  unidesk.output("alerts", raised)
  if a.required and record.undelivered then
    local missed = sorted_keys(record.undelivered)
    error(setmetatable({ kind = "undelivered", id = record.id, undelivered = record.undelivered,
      message = "alert " .. record.id .. " was not delivered to " .. table.concat(missed, ", ") .. " (kept; the next run that raises or lists alerts delivers it)" },
      { __tostring = function(e) return e.message end }), 2)
  end
  return record
end

function M.resolve(a)
  check("alert.resolve", a)
  local done = {}
  unidesk.volatile(function()
    deliver_pending()
    local sinks = #host._sinks() > 0
    for _, key in ipairs(state.keys("alerts/" .. a.app .. "/")) do
      local record = state.get(key)
      if type(record) == "table" and record.resolved_at == nil and (a.kind == nil or record.kind == a.kind) then
        record.resolved_at = time.iso()
        -- What the sinks have heard is the firing alert; now every sink must hear its end.
        record.delivered, record.undelivered = nil, nil
        state.set(key, record)
        if sinks then deliver(key, record) end
        done[#done + 1] = record
      end
    end
  end)
  if #done > 0 then
    unidesk.log.info(string.format("resolved %d alert%s for %s%s", #done, #done == 1 and "" or "s", a.app, a.kind and (" (" .. a.kind .. ")") or ""))
  end
  return done
end

function M.list(app)
  check("alert.list", app)
  unidesk.volatile(deliver_pending)
  local out = {}
  for _, k in ipairs(state.keys("alerts/" .. app .. "/")) do out[#out + 1] = state.get(k) end
  return out
end

return M
