-- expect: exit=4 stderr~deadline stdout!~SURVIVED within=2
-- args: --timeout 1
-- why: coroutine.resume returns (false, msg) for errors; a fired limit must not come back as a value.
local co = coroutine.create(function() while true do end end)
print(coroutine.resume(co))
print("SURVIVED")
