-- expect: exit=4 stderr~deadline stdout!~ESCAPED within=3
-- args: --timeout 1
-- why: the recipe's coroutine library is its own copy, so it may replace resume and wrap,
-- but only with its own functions: the one resume it can reach is the sandbox's
-- limit-aware one, so a loop inside a coroutine still ends at the deadline, uncaught.
local resume = coroutine.resume
coroutine.resume = function(co, ...) return resume(co, ...) end
coroutine.wrap = function() return function() end end
rawset(coroutine, "close", nil)
local co = coroutine.create(function() while true do end end)
print(pcall(coroutine.resume, co))
print("ESCAPED: a fired limit came back as a value")
