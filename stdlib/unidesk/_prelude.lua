-- The trusted prelude: runs once per state, before any recipe code, and builds the public
-- `unidesk` table, `print` and `require` on top of the raw host functions it receives.
-- Nothing here is reachable by scripts except what it deliberately exports.
local host, libraries = ...
local trusted = __unidesk_trusted
__unidesk_trusted = nil

local freeze, traceback, where = trusted.freeze, trusted.traceback, trusted.where
local pcall, xpcall, error, type, select, tostring = pcall, xpcall, error, type, select, tostring
local setmetatable, getmetatable, load, rawget, rawset = setmetatable, getmetatable, load, rawget, rawset
local ipairs, pairs, math, rawequal, string = ipairs, pairs, math, rawequal, string
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

-- require: `unidesk.*` from the stdlib (embedded in the binary) or a host library; the
-- standard libraries by name; any other name through package.searchers (package.preload,
-- then package.path inside the recipe's directory). Nothing else.

-- What require has loaded, by name. The recipe sees it only as package.loaded, read-only.
-- recipe_modules: the names loaded from files (the recipe's directory, lua_modules/).
local loaded, loading, recipe_modules = {}, {}, {}
for _, lib in ipairs({ "string", "table", "math", "utf8", "coroutine" }) do loaded[lib] = _G[lib] end
local loaded_view = freeze(loaded, "package.loaded")
loaded._G = _G

-- The message of Lua's luaL_typeerror, for the prelude's own functions written in Lua.
local function bad_argument(n, fname, expected, got)
  return "bad argument #" .. n .. " to '" .. fname .. "' (" .. expected .. " expected, got " .. got .. ")"
end

local unavailable = {
  os = "module 'os' is not available in the unidesk sandbox (time: unidesk.time; environment: unidesk.env)",
}

-- io and debug, reduced to what cannot reach past the sandbox: writing to the standard
-- streams (as print does) and tracebacks. Libraries such as Penlight need them as they
-- load (io.stdout, require "debug"); io.open, io.popen, debug.getupvalue… are absent.
local function stream(write, label)
  local methods = {}
  local file = setmetatable({}, { __index = methods, __name = "FILE*", __metatable = "FILE*",
    __tostring = function() return label end })
  -- file:write as liolib's g_write: strings as they are, integers with %d, floats with
  -- %.14g; what comes before a bad argument is written, as Lua writes argument by argument.
  local function write_values(fname, first, ...)
    local parts = {}
    for i = 1, select("#", ...) do
      local v = select(i, ...)
      local t = type(v)
      if t == "string" then parts[i] = v
      elseif t == "number" then parts[i] = math.type(v) == "integer" and string.format("%d", v) or string.format("%.14g", v)
      else
        write(concat(parts))
        error(bad_argument(first + i - 1, fname, "string", t), 3)
      end
    end
    write(concat(parts))
  end
  function methods.write(self, ...)
    if not rawequal(self, file) then error(bad_argument(1, "write", "FILE*", type(self)), 2) end
    write_values("write", 1, ...)
    return self
  end
  function methods.flush(self) return true end
  return file, function(...) write_values("io.write", 1, ...) return file end
end
local stdout, write_stdout = stream(host.write_stdout, "file (stdout)")
local stderr = stream(host.write_stderr, "file (stderr)")
local io_fields = {
  write = write_stdout,
  type = function(v) if rawequal(v, stdout) or rawequal(v, stderr) then return "file" end return nil end,
}
_G.io = freeze(io_fields, "io")
-- Added after freezing: a proxy in their place would not be the stream its methods expect.
io_fields.stdout, io_fields.stderr = stdout, stderr
_G.debug = freeze({ traceback = trusted.debug_traceback }, "debug")
loaded.io, loaded.debug = _G.io, _G.debug

-- The real fields behind the `package` proxy. preload and searchers are set after the
-- proxy is made, so that they stay ordinary tables the recipe may change (freeze would
-- make them read-only).
local package_fields = {
  config = "/\n;\n?\n!\n-\n",
  loaded = loaded_view,
  path = host.default_module_path(),
}

-- luaL_checkstring for the prelude's Lua functions: a number becomes its string; `given`
-- (how many arguments came) tells a missing argument ("no value") from a nil one.
local function check_string(fname, n, v, given)
  local t = type(v)
  if t == "string" then return v end
  if t == "number" then return tostring(v) end
  error(bad_argument(n, fname, "string", (v == nil and n > (given or n)) and "no value" or t), 3)
end

-- package.searchpath as Lua 5.4's, confined to the recipe's directory: a template leading
-- outside it finds nothing.
function package_fields.searchpath(...)
  local given, name, path, sep, rep = select("#", ...), ...
  name, path = check_string("package.searchpath", 1, name, given), check_string("package.searchpath", 2, path, given)
  if sep ~= nil then sep = check_string("package.searchpath", 3, sep) end
  if rep ~= nil then rep = check_string("package.searchpath", 4, rep) end
  return host.search_path(name, path, sep or ".", rep or "/")
end

local function preload_searcher(name)
  name = check_string("searcher", 1, name)
  if package_fields.preload[name] == nil then return "no field package.preload['" .. name .. "']" end
  return package_fields.preload[name], ":preload:"
end

-- Lua 5.4's searcher_Lua: package.path's templates, inside the recipe's directory only.
local function path_searcher(name)
  name = check_string("searcher", 1, name)
  local path = package_fields.path
  if type(path) ~= "string" then error("'package.path' must be a string", 2) end
  local kind, source, chunkname, _, filename = host.find_module(name, path)
  if kind ~= "recipe" then
    if chunkname == true then error(source, 0) end   -- refused (a symlink leading outside)
    return kind == nil and source or ("no file for '" .. name .. "' in the recipe's directory")
  end
  local chunk, err = load(source, chunkname, "t")
  -- A module that does not compile is a syntax error like the recipe's own (exit 2).
  if not chunk then host.syntax_error(err) end
  return chunk, filename
end

local package_proxy = freeze(package_fields, "package", function(_, key, value)
  if key == "path" then
    if type(value) ~= "string" then error("package.path must be a string of ';'-separated templates", 2) end
    local problem = host.module_path_problem(value)
    if problem then error(problem, 2) end
    package_fields.path = value
  elseif key == "cpath" or key == "loadlib" then
    error("package." .. tostring(key) .. " cannot be set: the sandbox loads no C modules", 2)
  elseif key == "searchers" then
    if type(value) ~= "table" then error("package.searchers must be a table", 2) end
    package_fields.searchers = value
  elseif key == "loaded" or key == "preload" or key == "config" or key == "searchpath" then
    error("package." .. key .. " cannot be replaced in the sandbox", 2)
  else
    package_fields[key] = value
  end
end)
package_fields.preload = {}
package_fields.searchers = { preload_searcher, path_searcher }
loaded.package = package_proxy
_G.package = package_proxy

-- Lua 5.4's findloader: the first searcher that returns a function wins; the others'
-- messages make the "not found" error.
local function find_loader(name)
  local searchers = package_fields.searchers
  if type(searchers) ~= "table" then return nil, "'package.searchers' must be a table" end
  local messages = {}
  for i = 1, math.huge do
    local searcher = rawget(searchers, i)
    if searcher == nil then return nil, "module '" .. name .. "' not found:" .. concat(messages) end
    local loader, data = searcher(name)
    if type(loader) == "function" then return loader, data end
    if type(loader) == "string" or type(loader) == "number" then messages[#messages + 1] = "\n\t" .. loader end
  end
end

-- For unidesk.test: require(name) returns `value` from now on (nil: load it afresh).
local function preload(name, value) loaded[name] = value end
-- What unidesk.test alone receives: that hook, test.replay's store of recordings (it
-- reads and, under `unidesk test --record`, writes files in the recipe's directory), and
-- the report's view of tests: which step is a test case, and the file's failed tests.
local test_hooks = { preload = preload, recording = host.recording,
  test_case = host.test_case, tests_failed = host.tests_failed }
local base_env -- the read-only environment of stdlib modules, built below

function require(...)
  local name = check_string("require", 1, (...), select("#", ...))
  local cached = loaded[name]
  if cached ~= nil then return cached end
  if unavailable[name] then error(unavailable[name], 2) end
  if loading[name] then
    error("module '" .. name .. "' is required while it is loading (a require loop)", 2)
  end
  if name:sub(1, 8) ~= "unidesk." then
    -- The recipe's own modules and vendored ones (lua_modules/), as Lua 5.4 finds them.
    loading[name] = true
    local found, loader, data = pcall(find_loader, name)
    if not found or not loader then loading[name] = nil; error(loader or data, found and 2 or 0) end
    local ok, r = pcall(loader, name, data)
    loading[name] = nil
    if not ok then error(r, 0) end
    if r ~= nil then loaded[name] = r end
    if loaded[name] == nil then loaded[name] = true end
    if type(data) == "string" and data ~= ":preload:" then recipe_modules[name] = true end
    return loaded[name], data
  end
  local kind, source, chunkname, lib = host.find_module(name)
  if kind == nil then error(source, 2) end
  local result
  loading[name] = true
  if kind == "host" then
    result = libraries[lib]
  else
    local chunk, err = load(source, chunkname, "t", setmetatable({}, { __index = base_env }))
    if not chunk then loading[name] = nil; host.syntax_error(err) end
    -- unidesk.test alone gets the hooks that put fakes and recordings in front of the real modules.
    local ok, r = pcall(chunk, name, lib and libraries[lib] or nil, name == "unidesk.test" and test_hooks or nil)
    loading[name] = nil
    if not ok then error(r, 0) end
    result = r
  end
  loading[name] = nil
  if result == nil then result = true end
  if type(result) == "table" then result = freeze(result, name) end
  loaded[name] = result
  return result
end

-- For the REPL's :reload: the recipe's modules are forgotten together and required again,
-- and a global that held an old module table now holds the new one. A module that no
-- longer loads keeps its old table, and says why. Returns {name, error?} per module.
local require_module, globals, sort, next_field = require, _G, table.sort, next
trusted.keep("reload_recipe_modules", function()
  local names, old, report = {}, {}, {}
  for name in pairs(recipe_modules) do names[#names + 1] = name end
  sort(names)
  for _, name in ipairs(names) do old[name] = loaded[name]; loaded[name] = nil end
  for i, name in ipairs(names) do
    report[i] = { name = name }
    if loaded[name] == nil then
      local ok, e = pcall(require_module, name)
      if not ok then
        report[i].error = type(e) == "table" and tostring(rawget(e, "message")) or tostring(e)
        loaded[name] = old[name]
      end
    end
  end
  for _, name in ipairs(names) do
    local before, now = old[name], loaded[name]
    if type(before) == "table" and not rawequal(before, now) then
      for k, v in next_field, globals do
        if rawequal(v, before) then rawset(globals, k, now) end
      end
    end
  end
  return report
end)

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

-- The recipe's own standard libraries: plain per-run copies of the frozen ones, writable as
-- Lua's library tables are (`function string.trim(s) … end`). The stdlib modules (base_env
-- above) and this prelude keep the frozen tables, so nothing a recipe does to its copies
-- changes how `unidesk.*` behaves; require and package.loaded return the copies, as the
-- globals are. A copy also spares every `math.sqrt` in a hot loop the proxy's __index hop.
-- The string metatable's __index stays the frozen `string`: strings are shared with the
-- stdlib, so a function added to the copy is not a method of strings (docs/sandbox.md).
for _, lib in ipairs({ "string", "table", "math", "utf8", "coroutine" }) do
  local copy = {}
  for k, v in pairs(loaded[lib]) do copy[k] = v end
  _G[lib] = copy
  loaded[lib] = copy
end
