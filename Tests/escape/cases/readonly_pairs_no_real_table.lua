-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: pairs/next on a proxy must not hand the real table out as the iterator state or a value.
local f, state, init = pairs(string)
local leaked = type(state) == "table" and state ~= string
local count, tables = 0, 0
for k, v in pairs(string) do
  count = count + 1
  if type(v) == "table" then tables = tables + 1 end
end
local nextOk, nk = pcall(next, string)
if not leaked and count > 10 and tables == 0 and (not nextOk or nk == nil) and string.len("ab") == 2 then print("SAFE")
else print("ESCAPED: pairs/next exposed the real string table") end
