-- expect: exit=3 stdout~SAFE stdout!~ESCAPED stdout!~OUTSIDE-CODE-RAN within=5
-- why: recipe/outside_link -> ROOT/outside and recipe/etc_link -> /etc; modules behind them are outside.
-- A refusal is a denial: journaled and sticky, so the run exits 3 even though the script caught it.
local refused = 0
for _, name in ipairs({ "outside_link.secret", "etc_link.passwd", "outside_link" }) do
  local ok, err = pcall(require, name)
  if not ok and tostring(err):find("refused") then refused = refused + 1 end
end
if refused == 3 then print("SAFE") else print("ESCAPED: " .. (3 - refused) .. " symlinked modules not refused") end
