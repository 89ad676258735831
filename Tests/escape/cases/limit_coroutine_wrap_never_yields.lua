-- expect: exit=4 stderr~deadline stdout!~SURVIVED within=2
-- args: --timeout 1
local f = coroutine.wrap(function() while true do end end)
print(pcall(f))
print("SURVIVED")
