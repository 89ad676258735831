-- expect: exit=3 stdout~SAFE stdout!~ESCAPED stdout!~OUTSIDE-CONTENT within=5
-- why: fs.lines is a Lua wrapper in the stdlib; it must apply the same confinement as fs.read.
-- A refusal is a denial: journaled and sticky, so the run exits 3 even though the script caught it.
local fs = require "unidesk.fs"
local refused = 0
for _, p in ipairs({ "../outside.txt", "outside_link/secret.txt", "/etc/hostname" }) do
  local ok, r = pcall(function() local out = {} for line in fs.lines(p) do out[#out + 1] = line end return out end)
  if ok then print("ESCAPED: " .. p .. ": " .. table.concat(r, "|")) elseif tostring(r):find("refused") then refused = refused + 1 end
end
if refused == 3 then print("SAFE") end
