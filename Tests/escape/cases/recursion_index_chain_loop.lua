-- expect: exit=1 stderr~__index within=5
-- why: a table whose __index is itself must end with "'__index' chain too long", not hang.
local t = setmetatable({}, {})
getmetatable(t).__index = t
print(t.missing)
