-- expect: exit=4 stderr~memory within=10
-- args: --max-memory 64 --timeout 30
local parts = {}
for i = 1, 1e5 do parts[i] = "abcdefghij" end
local s = table.concat(parts)
for _ = 1, 30 do s = table.concat({ s, s, s }) end
