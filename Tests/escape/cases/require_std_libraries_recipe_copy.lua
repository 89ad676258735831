-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: require of a standard library returns the recipe's own copy, the same table as the
-- global (so a change to it is seen through both, as in Lua); os stays unavailable, io and
-- debug are the sandbox's reduced, read-only ones.
local problems = {}
for _, name in ipairs({ "string", "table", "math", "utf8", "coroutine" }) do
  local ok, m = pcall(require, name)
  if not ok or m ~= _G[name] then problems[#problems + 1] = name .. " differs" end
  if ok and m ~= package.loaded[name] then problems[#problems + 1] = name .. " not package.loaded's" end
  if ok then m.extra = name end
  if _G[name].extra ~= name then problems[#problems + 1] = name .. ": the global is another table" end
end
if pcall(function() io.extra = 1 end) or pcall(function() debug.extra = 1 end) then
  problems[#problems + 1] = "io or debug writable"
end
if require "_G" ~= _G then problems[#problems + 1] = "_G differs" end
if require "package" ~= package then problems[#problems + 1] = "package differs" end
local ok, err = pcall(require, "os")
if ok or not tostring(err):find("not available") then problems[#problems + 1] = "os: " .. tostring(err) end
local io_ok, io_m = pcall(require, "io")
if not io_ok or io_m.open or io_m.popen or io_m.lines or io_m.read or io_m.input or io_m.output or io_m.tmpfile or io_m.close then
  problems[#problems + 1] = "io has files"
end
local db_ok, db = pcall(require, "debug")
if not db_ok or db.getupvalue or db.setupvalue or db.getinfo or db.sethook or db.getregistry or db.setmetatable
  or db.getlocal or db.upvaluejoin or db.getmetatable then
  problems[#problems + 1] = "debug has more than traceback"
end
if #problems == 0 then print("SAFE") else print("ESCAPED: " .. table.concat(problems, ", ")) end
