-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: a chunk loaded without env must see the same sandbox globals, nothing more.
local probe = load("return os, dofile, loadfile, __unidesk_trusted, string.dump, io.open, debug.getinfo, package.loadlib")
local n = select("#", probe())
local found = {}
for i = 1, n do if select(i, probe()) ~= nil then found[#found + 1] = i end end
local same = load("return io, debug, package")
local io_, debug_, package_ = same()
local env = load("return _ENV")()
if #found == 0 and env == _G and io_ == io and debug_ == debug and package_ == package then print("SAFE")
else print("ESCAPED: load reached value #" .. table.concat(found, ",")) end
