-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: the string metatable's __index is the real string table; getmetatable("") must not hand it out.
local mt = getmetatable("")
local changed = pcall(function() getmetatable("").__index = { len = function() return 99 end } end)
if type(mt) ~= "table" and not changed and ("abc"):len() == 3 then print("SAFE")
else print("ESCAPED: string metatable reachable: " .. tostring(mt)) end
