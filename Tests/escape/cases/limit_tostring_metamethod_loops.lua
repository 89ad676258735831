-- expect: exit=4 stderr~deadline within=2
-- args: --timeout 1
print(string.format("%s", setmetatable({}, { __tostring = function() while true do end end })))
