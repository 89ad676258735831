-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: a chunk loaded without env must see the same sandbox globals, nothing more.
local probe = load("return io, os, debug, package, dofile, loadfile, __unidesk_trusted, string.dump")
local n = select("#", probe())
local found = {}
for i = 1, n do if select(i, probe()) ~= nil then found[#found + 1] = i end end
local env = load("return _ENV")()
if #found == 0 and env == _G then print("SAFE") else print("ESCAPED: load reached value #" .. table.concat(found, ",")) end
