-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: ("").x = v must not reach the shared string table through a string value.
local ok = pcall(function() local s = "" ; s.len = function() return 0 end end)
if not ok and ("abc"):len() == 3 then print("SAFE") else print("ESCAPED: string value indexed for assignment") end
