-- unidesk.test: describe / it / assertions with readable diffs, and fakes or recordings of
-- real responses that stand in for any primitive family, so a recipe's policy is tested
-- without infrastructure.
local _, _, hooks = ...
local preload, recording = hooks.preload, hooks.recording
local test_case, tests_failed = hooks.test_case, hooks.tests_failed
local json = require "unidesk.json"
local M = {}

local results = { passed = 0, failed = 0 }
local prefix = {}
-- Calls a replay had no recording for. A test that made one fails even when the code under
-- test caught the error (a recipe that pcalls http.get would otherwise just see "unreachable").
local misses = {}

--- Groups tests; names nest ("upgrade › rolls back").
function M.describe(name, fn)
  prefix[#prefix + 1] = name
  local ok, err = pcall(fn)
  prefix[#prefix] = nil
  if not ok then error(err, 0) end
end

--- One test: a step of the run, failed or passed; the next test runs either way.
function M.it(name, fn)
  local full = table.concat(prefix, " › ") .. (#prefix > 0 and " › " or "") .. name
  local before = #misses
  test_case()   -- this step is a test case of the report; steps inside it are the code's
  local ok = pcall(unidesk.step, full, function()
    fn()
    if #misses > before then error(misses[before + 1].message, 0) end
  end)
  for i = before + 1, #misses do misses[i].reported = true end
  if ok then results.passed = results.passed + 1 else results.failed = results.failed + 1 end
end

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if v == unidesk.null then return "null" end
  if type(v) == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    if #keys == 0 then return "{}" end
    return "{…" .. #keys .. " keys}"
  end
  return tostring(v)
end

-- The first difference between two values, as "at .a[2].b: expected X, got Y".
local function difference(actual, expected, path)
  if type(actual) ~= "table" or type(expected) ~= "table" then
    if actual == expected then return nil end
    return "at " .. (path == "" and "the top" or path) .. ": expected " .. show(expected) .. ", got " .. show(actual)
  end
  local keys, seen = {}, {}
  for k in pairs(expected) do keys[#keys + 1] = k; seen[k] = true end
  for k in pairs(actual) do if not seen[k] then keys[#keys + 1] = k end end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do
    local p = path .. (type(k) == "number" and ("[" .. k .. "]") or ("." .. tostring(k)))
    if expected[k] == nil then return "at " .. p .. ": unexpected " .. show(actual[k]) end
    if actual[k] == nil then return "at " .. p .. ": missing, expected " .. show(expected[k]) end
    local d = difference(actual[k], expected[k], p)
    if d then return d end
  end
  return nil
end

--- Deep equality; the error names the first difference.
function M.eq(actual, expected, message)
  local d = difference(actual, expected, "")
  if d then error((message and (message .. ": ") or "") .. d, 2) end
end

function M.truthy(v, message)
  if not v then error((message or "expected a true value") .. ", got " .. show(v), 2) end
end

--- fn must raise; when `pattern` is given, the error's text must contain it (plain).
--- Returns the error.
function M.raises(fn, pattern)
  local ok, err = pcall(fn)
  if ok then error("expected an error" .. (pattern and (" containing " .. show(pattern)) or "") .. ", got none", 2) end
  if pattern and not tostring(type(err) == "table" and (err.message or err) or err):find(pattern, 1, true) then
    error("expected an error containing " .. show(pattern) .. ", got " .. show(tostring(type(err) == "table" and (err.message or err) or err)), 2)
  end
  return err
end

--- From now on, require("unidesk.<family>") returns `fake` (a table of functions). Calls are
--- recorded in fake.calls as {name, args}.
function M.fake(family, fake)
  check("test.fake", family, fake)
  local calls = {}
  local proxy = setmetatable({ calls = calls }, { __index = function(_, k)
    local f = fake[k]
    if type(f) ~= "function" then
      if f ~= nil then return f end
      return function() error("the fake of unidesk." .. family .. " has no " .. tostring(k), 2) end
    end
    return function(...)
      calls[#calls + 1] = { name = k, args = table.pack(...) }
      return f(...)
    end
  end })
  preload("unidesk." .. family, proxy)
  return proxy
end

-- test.replay ---------------------------------------------------------------------------

-- What the real module returns as objects with methods gets them back on replay (a
-- recording holds data only): http responses have :json().
local methods = { http = { __index = { json = function(self) return json.decode(self.body) end } } }
-- Other values with a message (the err of `nil, err`) print as it, as the real ones do.
local message_mt = { __tostring = function(e) return e.message end }

local function copy(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = copy(x) end
  return t
end

-- The real module, loaded afresh (a fake or replay of it may stand in front of it now).
local function real_module(family)
  preload("unidesk." .. family, nil)
  return require("unidesk." .. family)
end

local function shown(key)
  local s = key:sub(2, -2)
  return #s > 300 and (s:sub(1, 299) .. "…") or s
end

-- Record mode: the real family, every call and its answer (or error) appended to the file.
local function recorder(family, path)
  local real = real_module(family)
  return setmetatable({}, { __index = function(_, k)
    local f = real[k]
    if type(f) ~= "function" then return f end
    return function(...)
      local nargs = select("#", ...)
      local all = table.pack(...)
      local r = table.pack(pcall(f, ...))
      if r[1] then
        for i = 2, r.n do
          local v = r[i]
          local mt = type(v) == "table" and getmetatable(v)
          if type(mt) == "table" and mt.__index ~= nil and not methods[family] then
            error("cannot record unidesk." .. family .. "." .. k .. ": result " .. (i - 1) .. " is an object with methods"
              .. " (a connection?), which a recording cannot hold; record calls whose results are data", 2)
          end
          all[nargs + i - 1] = v
        end
        recording.append(path, k, "results", nargs, table.unpack(all, 1, nargs + r.n - 1))
        return table.unpack(r, 2, r.n)
      end
      all[nargs + 1] = r[2]
      recording.append(path, k, "error", nargs, table.unpack(all, 1, nargs + 1))
      error(r[2], 0)
    end
  end })
end

-- Replay mode: each call answered by the first unused recorded call with the same function
-- and arguments (a call made more often than recorded gets the last answer again).
local replays = {}
local function replayer(family, path)
  local rec = replays[path]
  if not rec then
    rec = recording.load(path, family)
    rec.used = {}
    replays[path] = rec
  end
  local real = real_module(family)
  return setmetatable({}, { __index = function(_, k)
    local f = real[k]
    if type(f) ~= "function" then return f end
    return function(...)
      local key = recording.key(...)
      local found, last, same = nil, nil, {}
      for i, c in ipairs(rec.calls) do
        if c.fn == k then
          if c.key == key then
            last = i
            if not rec.used[i] then found = i; break end
          elseif #same < 3 then
            same[#same + 1] = k .. "(" .. shown(c.key) .. ")"
          end
        end
      end
      found = found or last
      if not found then
        local message = "unidesk." .. family .. "." .. k .. "(" .. shown(key) .. ") is not in the recording " .. rec.file
          .. (#same > 0 and (" (it has " .. table.concat(same, ", ") .. ")") or (" (it has no calls of " .. k .. ")"))
          .. "; the code now makes a call that was not recorded: re-record with `" .. rec.rerecord .. "`"
        misses[#misses + 1] = { message = message }
        recording.raise({ kind = "replay", message = message })
      end
      rec.used[found] = true
      local c = rec.calls[found]
      if c.error then
        if c.error.kind then recording.raise(c.error) end
        error(c.error.message, 0)
      end
      local out = {}
      for i = 1, c.n do
        local v = c.results[i]
        if v == unidesk.null then v = nil end   -- a recording's null at the top is a returned nil
        v = copy(v)
        if type(v) == "table" then
          if methods[family] then setmetatable(v, methods[family])
          elseif type(v.message) == "string" then setmetatable(v, message_mt) end
        end
        out[i] = v
      end
      return table.unpack(out, 1, c.n)
    end
  end })
end

--- From now on require("unidesk.<family>") answers from a recording of real responses
--- (path relative to the test file's directory); under `unidesk test --record` it calls the
--- real family and writes the recording when the file's tests finish.
function M.replay(family, path)
  check("test.replay", family, path)
  local proxy
  if recording.mode then
    recording.open(path, family)
    proxy = recorder(family, path)
  else
    proxy = replayer(family, path)
  end
  preload("unidesk." .. family, proxy)
  return proxy
end

--- Loads a recipe module afresh (after fakes were installed): require(name) again.
function M.load(name)
  preload(name, nil)
  return require(name)
end

--- Called by `unidesk test` after the file ran: fails the run if a test failed.
function M.finish()
  if recording.mode then recording.save() end
  unidesk.output("tests", { passed = results.passed, failed = results.failed })
  for _, m in ipairs(misses) do
    if not m.reported then unidesk.fail(m.message) end
  end
  if results.failed > 0 then
    -- Its own kind: JUnit counts the failed tests themselves, not this summary again.
    tests_failed(results.failed .. " of " .. (results.passed + results.failed) .. " tests failed")
  end
end

return M
