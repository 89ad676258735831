-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=10
-- why: a million '[' must be refused by the host parser, not overflow its native stack.
local json = require "unidesk.json"
local ok, err = pcall(json.decode, string.rep("[", 1e6))
if not ok and tostring(err):find("nesting") then print("SAFE") else print("ESCAPED: " .. tostring(err)) end
