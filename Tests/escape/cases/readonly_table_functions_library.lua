-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: table.insert/move/remove/sort write through lua_seti; the frozen tables must refuse them.
local json = require "unidesk.json"
local ok1 = pcall(table.insert, json, "x")
local ok2 = pcall(table.insert, io, 1, "x")
local ok3 = pcall(table.move, { "x" }, 1, 1, 1, unidesk.log)
local ok4 = pcall(table.remove, unidesk)
local ok5 = pcall(function() package.loaded[1] = "x" end)
if not (ok1 or ok2 or ok3 or ok5) and rawlen(json) == 0 and #json == 0 and #io == 0 then print("SAFE")
else print("ESCAPED: table functions wrote into a frozen table", ok1, ok2, ok3, ok4, ok5) end
