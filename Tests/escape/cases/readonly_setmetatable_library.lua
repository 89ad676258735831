-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: swapping a frozen table's metatable would drop its read-only guard.
local json = require "unidesk.json"
local ok1 = pcall(setmetatable, io, {})
local ok2 = pcall(setmetatable, json, nil)
local ok3 = pcall(setmetatable, unidesk, nil)
local ok4 = pcall(setmetatable, unidesk.log, { __newindex = rawset })
local ok5 = pcall(setmetatable, package.loaded, nil)
if not (ok1 or ok2 or ok3 or ok4 or ok5) and getmetatable(json) == "read-only" and getmetatable(io) == "read-only" then print("SAFE")
else print("ESCAPED: setmetatable on a frozen table", ok1, ok2, ok3, ok4, ok5) end
