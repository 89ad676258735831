-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: table.insert/move/remove/sort write through lua_seti; the library tables must refuse them.
local ok1 = pcall(table.insert, string, "x")
local ok2 = pcall(table.insert, math, 1, "x")
local ok3 = pcall(table.move, { "x" }, 1, 1, 1, string)
local ok4 = pcall(table.remove, unidesk)
local ok5 = pcall(function() string[1] = "x" end)
if not (ok1 or ok2 or ok3 or ok5) and rawlen(string) == 0 and #string == 0 then print("SAFE")
else print("ESCAPED: table functions wrote into a library", ok1, ok2, ok3, ok4, ok5) end
