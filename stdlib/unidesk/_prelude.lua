-- The trusted prelude: runs once per state, before any recipe code, and builds the public
-- `unidesk` table, `print` and `require` on top of the raw host functions it receives.
-- Nothing here is reachable by scripts except what it deliberately exports.
local host, libraries = ...
local trusted = __unidesk_trusted
__unidesk_trusted = nil

local freeze, traceback, where = trusted.freeze, trusted.traceback, trusted.where
local pcall, xpcall, error, type, select, tostring = pcall, xpcall, error, type, select, tostring
local setmetatable, getmetatable, load, rawget, rawset = setmetatable, getmetatable, load, rawget, rawset
local concat, pack, unpack = table.concat, table.pack, table.unpack

local function stringify(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  return concat(parts, "\t")
end

function print(...)
  host.write_stdout(stringify(...) .. "\n")
end

local unidesk = {}

unidesk.log = {
  info = function(...) host.log("info", stringify(...)) end,
  warn = function(...) host.log("warn", stringify(...)) end,
  error = function(...) host.log("error", stringify(...)) end,
}

local function error_kind(e)
  if type(e) == "table" then
    local ok, k = pcall(function() return e.kind end)
    if ok and type(k) == "string" then return k end
  end
  return nil
end

-- An error value as every output shows it: a table with a `message` reads "kind: message"
-- (or the message alone), unless it renders itself (__tostring, as primitives' errors do).
local function describe(e)
  if type(e) == "table" then
    local mt = getmetatable(e)
    if not (type(mt) == "table" and rawget(mt, "__tostring")) and mt ~= "unidesk.error" then
      local m, k = rawget(e, "message"), rawget(e, "kind")
      if type(m) == "string" then
        if type(k) == "string" and k ~= "" then return k .. ": " .. m end
        return m
      end
    end
  end
  local ok, text = pcall(tostring, e)
  return ok and text or ("(error object is a " .. type(e) .. " value)")
end

-- A table raised without a location gets the user's line where it was raised (`level` as
-- error's: 1 is the function that called locate).
local function locate(e, level)
  if type(e) == "table" and rawget(e, "where") == nil and getmetatable(e) ~= "read-only" then
    local w = where(level + 1)
    if w ~= "" then rawset(e, "where", w:sub(1, -3)) end
  end
end

-- Runs fn as a named step: recorded with status and duration, shown live. Errors propagate
-- unchanged after the step is marked failed.
function unidesk.step(name, fn, ...)
  host.check_args("step", name, fn)
  local id = host.step_begin(name)
  local tb
  local results = pack(xpcall(fn, function(e)
    locate(e, 2)
    tb = traceback(describe(e), 2)
    return e
  end, ...))
  if results[1] then
    host.step_end(id, true)
    return unpack(results, 2, results.n)
  end
  local e = results[2]
  host.step_end(id, false, describe(e), error_kind(e), tb)
  error(e, 0)
end

-- Runs fn with its primitive calls left out of a saved plan's comparison (unidesk apply):
-- for reads whose value is expected to change and for writes a plan cannot contain (a
-- rollback, records keyed by the time). Policy and audit apply as always.
function unidesk.volatile(fn, ...)
  host.check_args("volatile", fn)
  host.volatile_begin()
  local results = pack(pcall(fn, ...))
  host.volatile_end()
  if results[1] then return unpack(results, 2, results.n) end
  error(results[2], 0)
end

-- A host function called directly, so the error's `where` is the recipe's line.
unidesk.fail = host.fail

unidesk.secret = host.secret
unidesk.env = host.env
unidesk.output = host.output
unidesk.can = host.can
unidesk.null = host.null()
unidesk.mode = host.mode()
unidesk.version = host.version()
unidesk.vars = host.vars()

-- require: `unidesk.*` from the stdlib (embedded in the binary) or a host library;
-- any other name from the recipe's own directory. Nothing else.
local loaded, loading = {}, {}

-- For unidesk.test: require(name) returns `value` from now on (nil: load it afresh).
local function preload(name, value) loaded[name] = value end
-- What unidesk.test alone receives: that hook, test.replay's store of recordings (it
-- reads and, under `unidesk test --record`, writes files in the recipe's directory), and
-- the report's view of tests: which step is a test case, and the file's failed tests.
local test_hooks = { preload = preload, recording = host.recording,
  test_case = host.test_case, tests_failed = host.tests_failed }
local base_env -- the read-only environment of stdlib modules, built below

function require(name)
  if type(name) ~= "string" then
    error("bad argument #1 to 'require' (string expected, got " .. type(name) .. ")", 2)
  end
  local cached = loaded[name]
  if cached ~= nil then return cached end
  if loading[name] then
    error("module '" .. name .. "' is required while it is loading (a require loop)", 2)
  end
  local kind, source, chunkname, lib = host.find_module(name)
  if kind == nil then error(source, 2) end
  local result
  loading[name] = true
  if kind == "host" then
    result = libraries[lib]
  else
    local env = nil
    if kind == "stdlib" then env = setmetatable({}, { __index = base_env }) end
    local chunk, err = load(source, chunkname, "t", env)
    -- A module that does not compile is a syntax error like the recipe's own (exit 2).
    if not chunk then loading[name] = nil; host.syntax_error(err) end
    -- unidesk.test alone gets the hooks that put fakes and recordings in front of the real modules.
    local ok, r = pcall(chunk, name, lib and libraries[lib] or nil, name == "unidesk.test" and test_hooks or nil)
    loading[name] = nil
    if not ok then error(r, 0) end
    result = r
  end
  loading[name] = nil
  if result == nil then result = true end
  if kind ~= "recipe" and type(result) == "table" then result = freeze(result, name) end
  loaded[name] = result
  return result
end

unidesk = freeze(unidesk, "unidesk")
_G.unidesk = unidesk

local base = {}
for k, v in pairs(_G) do base[k] = v end
base._G = nil
-- Stdlib modules raise at the user's line: `error(msg, level)` there skips unidesk's own
-- frames (stdlib modules, the prelude, C) from `level` up, whatever the call path inside.
base.error = function(e, level)
  level = level == nil and 1 or level
  if type(level) == "number" and level > 0 then
    if type(e) == "string" then e = where(level + 1) .. e else locate(e, level + 1) end
  end
  error(e, 0)
end
-- check("alert.raise", a): a stdlib function checks its arguments against its spec, as host
-- functions do, and raises the same bad-argument error at the user's line.
-- A value the host cannot read (a table nested past 100 levels, or a cycle, say in
-- pipeline.run's context) is not a misuse of the function: its check is skipped.
local check_args = host.check_args
base.check = function(name, ...)
  local ok, e = pcall(check_args, name, ...)
  if ok then return end
  if type(e) == "string" and e:find("to 'unidesk.check_args'", 1, true) then return end
  error(e, 0)
end
base_env = freeze(base, "_G")
