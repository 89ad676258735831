-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: rawset skips __newindex; it must still refuse the frozen tables.
local changed = {}
local targets = { string = string, table = table, math = math, utf8 = utf8, coroutine = coroutine,
                  unidesk = unidesk, log = unidesk.log }
for name, t in pairs(targets) do
  if pcall(rawset, t, "len", 1) or pcall(rawset, t, "injected", 1) then changed[#changed + 1] = name end
end
if #changed == 0 and string.len("ab") == 2 then print("SAFE") else print("ESCAPED: rawset changed " .. table.concat(changed, ", ")) end
