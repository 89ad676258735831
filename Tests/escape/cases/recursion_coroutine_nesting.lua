-- expect: exit=1 stderr~stack\soverflow within=10
-- why: each coroutine.wrap resume nests a C call; the nesting must end in a Lua error.
local function f() return coroutine.wrap(f)() end
f()
