-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: stdlib modules run in their own read-only environment, not in the recipe's globals.
string, table, type, error, setmetatable, pairs = nil, nil, nil, nil, nil, nil
local json = require "unidesk.json"
local fs = require "unidesk.fs"
local ok, err = pcall(fs.lines, 42)
local encoded = json.encode({ a = { 1, 2 } })
if encoded == '{"a":[1,2]}' and not ok and ("" .. tostring(err)):find("string expected") then
  print("SAFE")
else
  print("ESCAPED: stdlib depends on recipe globals: " .. tostring(encoded) .. " / " .. tostring(err))
end
