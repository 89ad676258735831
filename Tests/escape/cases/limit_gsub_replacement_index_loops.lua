-- expect: exit=4 stderr~deadline within=2
-- args: --timeout 1
-- why: Lua code called back from inside a C function (gsub's replacement table __index).
local repl = setmetatable({}, { __index = function() while true do end end })
print(string.gsub("aaa", "a", repl))
