-- expect: exit=4 stderr~deadline within=2
-- args: --timeout 1
-- why: the host's message handler stores a traceback into a table error; __newindex runs Lua there.
error(setmetatable({}, { __newindex = function() while true do end end }))
