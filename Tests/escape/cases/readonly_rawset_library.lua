-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: rawset skips __newindex; it must still refuse the frozen tables (the recipe's own
-- copies of string, table… are plain tables, and changing them changes nothing else).
local changed = {}
local targets = { unidesk = unidesk, log = unidesk.log, json = require "unidesk.json", io = io,
                  debug = debug, loaded = package.loaded, package = package }
for name, t in pairs(targets) do
  if pcall(rawset, t, "len", 1) or pcall(rawset, t, "injected", 1) then changed[#changed + 1] = name end
end
rawset(string, "len", function() return 99 end)
if #changed == 0 and ("ab"):len() == 2 and unidesk.log.info("logged") == nil then print("SAFE")
else print("ESCAPED: rawset changed " .. table.concat(changed, ", ")) end
