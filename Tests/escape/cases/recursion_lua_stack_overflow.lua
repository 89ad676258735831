-- expect: exit=1 stderr~stack\soverflow within=15
-- args: --timeout 30
-- why: unbounded recursion is an ordinary recipe error, not a crash of the process.
local function f() return 1 + f() end
f()
