-- expect: exit=4 stdout!~SURVIVED within=4
-- args: --timeout 1
-- why: the collector runs a looping finaliser in the middle of the run (hooks off there too).
setmetatable({}, { __gc = function() while true do end end })
local t = {}
for i = 1, 1e7 do t[i % 100] = {} end
print("SURVIVED")
