-- unidesk.test: describe / it / assertions with readable diffs, and fakes that stand in for
-- any primitive family, so a recipe's policy is tested without infrastructure.
local _, _, preload = ...
local M = {}

local results = { passed = 0, failed = 0 }
local prefix = {}

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
  local ok = pcall(unidesk.step, full, fn)
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
  if type(family) ~= "string" or type(fake) ~= "table" then
    error("bad argument to 'unidesk.test.fake' (a family name and a table of functions expected)", 2)
  end
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

--- Loads a recipe module afresh (after fakes were installed): require(name) again.
function M.load(name)
  preload(name, nil)
  return require(name)
end

--- Called by `unidesk test` after the file ran: fails the run if a test failed.
function M.finish()
  unidesk.output("tests", { passed = results.passed, failed = results.failed })
  if results.failed > 0 then
    unidesk.fail(results.failed .. " of " .. (results.passed + results.failed) .. " tests failed")
  end
end

return M
