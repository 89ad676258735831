-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: pairs/next on a proxy must not hand the real table out as the iterator state or a value.
local json = require "unidesk.json"
local leaked = {}
for name, t in pairs({ unidesk = unidesk, json = json, io = io, loaded = package.loaded }) do
  local _, state = pairs(t)
  if type(state) == "table" and state ~= t then leaked[#leaked + 1] = name .. " state" end
  local nextOk, nk = pcall(next, t)
  if nextOk and nk ~= nil then leaked[#leaked + 1] = name .. " next" end
end
local count = 0
for k, v in pairs(unidesk) do count = count + 1 end
if #leaked == 0 and count > 10 and json.encode({ 1 }) == "[1]" then print("SAFE")
else print("ESCAPED: pairs/next exposed a real table: " .. table.concat(leaked, ", ")) end
