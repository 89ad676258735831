-- unidesk.http: the host's GET/HEAD and writes, responses with :json(), and wait() for health polling.
local _, host = ...
local json = require "unidesk.json"
local time = require "unidesk.time"
local M = {}

local response_methods = {}
response_methods.__index = response_methods
--- Decodes the body as JSON.
function response_methods:json() return json.decode(self.body) end

local function wrap(resp)
  if resp.unknown then return resp end   -- plan --offline: {planned = true, unknown = true}, nothing was sent
  return setmetatable(resp, response_methods)
end

function M.get(url, options) return wrap(host.get(url, options)) end
function M.head(url, options) return wrap(host.head(url, options)) end
-- Writes: through the gate (a grant http.<method>:<host>/<path>; planned in plan mode).
function M.post(url, body, options) return wrap(host.post(url, body, options)) end
function M.put(url, body, options) return wrap(host.put(url, body, options)) end
function M.patch(url, body, options) return wrap(host.patch(url, body, options)) end
function M.delete(url, body, options) return wrap(host.delete(url, body, options)) end
function M.request(request) return wrap(host.request(request)) end

--- Polls url until options.until(resp) is true (default: status < 400).
function M.wait(url, options)
  check("http.wait", url, options)
  options = options or {}
  -- Never faster than 10 attempts a second, whatever the caller asked.
  local timeout, interval = options.timeout or 60, math.max(0.1, options.interval or 1)
  local condition = options["until"] or function(r) return r.status < 400 end
  local started = time.monotonic()
  local deadline = started + timeout
  local attempts, last = 0, nil
  -- One line for the whole wait, not one per attempt (failed attempts are not printed).
  local function summary(how)
    unidesk.log.info("http.wait " .. url .. ": " .. how .. " after " .. attempts .. " attempt" .. (attempts == 1 and "" or "s")
      .. string.format(" in %.1fs", time.monotonic() - started) .. (last and (" (last: " .. last .. ")") or ""))
  end
  local function poll()
    while true do
      local left = deadline - time.monotonic()
      attempts = attempts + 1
      local ok, resp = pcall(M.get, url, { timeout = math.max(0.1, math.min(left, 10)), headers = options.headers })
      if ok then
        if resp.unknown or condition(resp) then return resp end
        last = "status " .. resp.status
      else
        -- A denial, and the step's own timeout, end the wait: polling cannot change them.
        if type(resp) == "table" and (resp.kind == "denied" or resp.deadline == "step") then error(resp, 0) end
        last = tostring(resp)
      end
      if time.monotonic() + interval > deadline then
        error(setmetatable({ kind = "timeout", message = "http.wait: " .. url .. " not ready after " .. timeout .. "s (last: " .. last .. ")", url = url },
          { __tostring = function(e) return e.message end }), 2)
      end
      time.sleep(interval)   -- raises the step's timeout when the step's deadline passes
    end
  end
  local ok, result = pcall(poll)
  if ok then
    if attempts > 1 then summary("ready") end
    return result
  end
  summary(type(result) == "table" and result.kind == "timeout" and result.deadline ~= "step" and "gave up" or "stopped")
  error(result, 0)
end

return M
