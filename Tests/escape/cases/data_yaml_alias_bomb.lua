-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=10
-- args: --max-memory 64
-- why: "billion laughs": nine levels of nine aliases expand to 387 million values in the host.
local yaml = require "unidesk.yaml"
local lines = { "a: &a [x, x, x, x, x, x, x, x, x]" }
local prev = "a"
for _, name in ipairs({ "b", "c", "d", "e", "f", "g", "h", "i" }) do
  lines[#lines + 1] = name .. ": &" .. name .. " [" .. string.rep("*" .. prev, 9, ", ") .. "]"
  prev = name
end
local ok, err = pcall(yaml.decode, table.concat(lines, "\n"))
if not ok and tostring(err):find("alias") then print("SAFE") else print("ESCAPED: " .. tostring(err)) end
