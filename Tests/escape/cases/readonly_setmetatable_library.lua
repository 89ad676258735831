-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: swapping a library's metatable would drop its read-only guard.
local ok1 = pcall(setmetatable, string, {})
local ok2 = pcall(setmetatable, string, nil)
local ok3 = pcall(setmetatable, unidesk, nil)
local ok4 = pcall(setmetatable, unidesk.log, { __newindex = rawset })
if not (ok1 or ok2 or ok3 or ok4) and getmetatable(string) == "read-only" then print("SAFE")
else print("ESCAPED: setmetatable on a frozen table", ok1, ok2, ok3, ok4) end
