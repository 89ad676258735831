-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: a module returned by require "unidesk.*" is shared by every require; it must not be patchable.
local json, fs = require "unidesk.json", require "unidesk.fs"
local ok1 = pcall(function() json.encode = function() return "hijacked" end end)
local ok2 = pcall(function() fs.write = print end)
local ok3 = pcall(rawset, json, "decode", nil)
local again = require "unidesk.json"
if not (ok1 or ok2 or ok3) and again.encode({ 1 }) == "[1]" then print("SAFE")
else print("ESCAPED: stdlib module patched", ok1, ok2, ok3) end
