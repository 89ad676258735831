-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: debug.* (getupvalue, setmetatable, sethook, getregistry) breaks every sandbox guarantee;
-- only debug.traceback, which reads names and lines, is kept.
local names = {}
for name in pairs(debug) do names[#names + 1] = name end
local ok = #names == 1 and names[1] == "traceback" and require("debug") == debug
  and not pcall(function() debug.getinfo = function() end end)
if ok then print("SAFE") else print("ESCAPED: debug has " .. table.concat(names, ",")) end
