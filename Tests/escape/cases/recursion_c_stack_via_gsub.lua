-- expect: exit=1 stderr~stack\soverflow within=10
-- why: recursion through a C function (gsub calling back into Lua) must hit Lua's C-stack guard, not segfault.
local function f(s) return (s:gsub(".", f)) end
f("aa")
