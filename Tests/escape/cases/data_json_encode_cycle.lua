-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=10
-- why: a cyclic table handed to the host must be refused, not recursed into forever.
local json = require "unidesk.json"
local t = {}
t.self = t
local ok, err = pcall(json.encode, t)
if not ok and tostring(err):find("cycle") then print("SAFE") else print("ESCAPED: " .. tostring(err)) end
