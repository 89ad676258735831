-- expect: exit=0 stdout~SAFE stdout!~ESCAPED nosecret=TOKEN within=5
-- args: --secret-env TOKEN
-- env: TOKEN=hunter2-strings-SECRET-7731
-- why: any function that turns the secret into bytes (byte, sub, rep, %q, pack, concat, yaml, output) is an exfiltration path.
local s = unidesk.env("TOKEN")
local yaml = require "unidesk.yaml"
local leaks = {}
local probes = {
  byte = function() return string.byte(s, 1, -1) end, sub = function() return string.sub(s, 1) end,
  rep = function() return string.rep(s, 1) end, q = function() return string.format("%q", s) end,
  pack = function() return string.pack("z", s) end, concat = function() return table.concat({ s }) end,
  len = function() return #s end, lt = function() return s < s end, yaml = function() return yaml.encode({ s }) end,
  output = function() return unidesk.output("leak", s) end, load = function() return load(s) end,
}
for name, f in pairs(probes) do if pcall(f) then leaks[#leaks + 1] = name end end
if #leaks == 0 then print("SAFE") else print("ESCAPED: secret accepted by " .. table.concat(leaks, ", ")) end
