-- expect: exit=3 stderr~denied nofile=state/gc.txt within=10
-- why: a denied write from a finaliser run by the collector during the run, caught there, still exits 3.
local fs = require "unidesk.fs"
local ran = false
setmetatable({}, { __gc = function() ran = true; pcall(fs.write, "gc.txt", "x") end })
local junk = {}
for i = 1, 2e6 do junk[i % 1000] = { i } if ran then break end end
print("finaliser ran:", ran)
