-- String building: string.format, gsub, table.concat, #, string.byte, via the global
-- `string.*` / `table.*` names (the recipe's own library copies under unidesk) in the hot loop.
local function checksum(s)
  -- Fowler–Noll–Vo-style 32-bit hash over every 97th byte, plus the length.
  local h = 2166136261
  for i = 1, #s, 97 do
    h = ((h ~ string.byte(s, i)) * 16777619) & 0xffffffff
  end
  return h, #s
end

local ROUNDS, LINES = 150, 5000
local h, total = 0, 0
for r = 1, ROUNDS do
  local parts = {}
  for i = 1, LINES do
    parts[#parts + 1] = string.format("%05d:%s=%.3f;", i, "key" .. (i % 97), i / 7)
  end
  local s = table.concat(parts, "\n")
  s = string.gsub(s, "key(%d+)", "K%1")
  s = s:gsub("%d%d%d;", string.upper)
  local words = 0
  for _ in string.gmatch(s, "K%d+") do words = words + 1 end
  local ch, len = checksum(s)
  h = (h + ch + words) & 0xffffffff
  total = total + len
end
print("strings", ROUNDS, LINES, h, total)
