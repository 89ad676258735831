-- expect: exit=0 stdout~SAFE stdout!~ESCAPED stdout!~OUTSIDE-CODE-RAN within=5
-- why: ROOT/outside.lua sits next to the recipe directory; no module name may reach it.
local loaded = {}
for _, name in ipairs({ "../outside", "..outside", ".outside", "..", "sub/../../outside", "sub...outside" }) do
  if pcall(require, name) then loaded[#loaded + 1] = name end
end
if #loaded == 0 then print("SAFE") else print("ESCAPED: required " .. table.concat(loaded, ", ")) end
