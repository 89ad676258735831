-- expect: exit=0 stdout~SAFE stdout!~ESCAPED stdout!~HIJACKED stderr!~HIJACKED within=10
-- args: --allow state.set:*
-- why: a recipe's string/table/math/utf8/coroutine are its own copies, writable as in Lua;
-- the stdlib modules and the prelude keep the real, frozen libraries, so replacing every
-- library function in the copies (through the globals, require and package.loaded) and the
-- base functions pairs/next/type/tostring cannot change what unidesk.json, unidesk.state,
-- unidesk.alert, unidesk.pipeline, unidesk.migrate, unidesk.semver, print, io.write or
-- unidesk.step do.
local json, state, alert = require "unidesk.json", require "unidesk.state", require "unidesk.alert"
local pipeline, migrate, semver = require "unidesk.pipeline", require "unidesk.migrate", require "unidesk.semver"
local real_pairs, real_type, real_tostring, real_pcall, real_concat = pairs, type, tostring, pcall, table.concat
local real_find, real_format = string.find, string.format
local hijacked = {}
local function trap(name)
  return function() hijacked[#hijacked + 1] = name; error("HIJACKED " .. name) end
end
local replaced = 0
for _, lib in ipairs({ "string", "table", "math", "utf8", "coroutine" }) do
  local copies = { _G[lib], require(lib), package.loaded[lib] }
  for _, copy in ipairs(copies) do
    local names = {}
    for k, v in real_pairs(copy) do if real_type(v) == "function" then names[#names + 1] = k end end
    for _, k in ipairs(names) do copy[k] = trap(lib .. "." .. k); replaced = replaced + 1 end
  end
end
math.pi, math.huge, utf8.charpattern = 3, 0, "HIJACKED"
pairs, next, type, tostring, select = trap("pairs"), trap("next"), trap("type"), trap("tostring"), trap("select")

local problems = {}
local function expect(what, ok, got, want)
  if not ok or got ~= want then problems[#problems + 1] = what .. ": " .. real_tostring(got) end
end
local ok, v = real_pcall(json.encode, { a = { 1, 2 }, b = "x" })
expect("json.encode", ok, v, '{"a":[1,2],"b":"x"}')
ok, v = real_pcall(function() return json.decode('{"n":[1,2,3]}').n[3] end)
expect("json.decode", ok, v, 3)
ok, v = real_pcall(function() state.set("k", { 1, 2 }); return state.get("k")[2] end)
expect("state.set/get", ok, v, 2)
ok, v = real_pcall(state.lock, "app", function() return "locked" end)
expect("state.lock", ok, v, "locked")
ok, v = real_pcall(function() return alert.raise({ kind = "held", app = "shop", severity = "warning" }).id end)
expect("alert.raise", ok, real_type(v) == "string" and real_find(v, "^shop/%d+") ~= nil, true)
ok, v = real_pcall(function()
  return pipeline.run({ name = "p", steps = { { name = "only", run = function() return 1 end } } }).ok
end)
expect("pipeline.run", ok, v, true)
ok, v = real_pcall(migrate.format, { planned = true, ok = true, migrations = 2 })
expect("migrate.format", ok, v, "migration files checked: 2 migrations, no problems")
ok, v = real_pcall(function() return real_concat(semver.sort({ "1.10.0", "1.2.0", "1.9.1" }), " ") end)
expect("semver.sort", ok, v, "1.2.0 1.9.1 1.10.0")
ok, v = real_pcall(unidesk.step, "a step", function(a, b) return a + b end, 2, 3)
expect("unidesk.step", ok, v, 5)
ok = real_pcall(function() print("printed", 1.5, nil) io.write(7, " ", 0.25, "\n") end)
expect("print/io.write", ok, true, true)
-- String methods are the frozen library's, whatever the copy holds.
ok, v = real_pcall(function() return ("%d-%s"):format(4, ("ab"):rep(2)) end)
expect("string methods", ok, v, "4-abab")

if replaced < 3 * 50 then problems[#problems + 1] = "only " .. replaced .. " functions replaced" end
if #hijacked > 0 then problems[#problems + 1] = "stdlib called " .. real_concat(hijacked, ", ") end
if #problems == 0 then print("SAFE") else print("ESCAPED: " .. real_concat(problems, "; ")) end
