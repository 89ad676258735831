-- expect: exit=4 stderr~memory stderr~limit: within=10
-- args: --max-memory 64 --timeout 30
local t, i = {}, 0
while true do i = i + 1; t[i] = { i, tostring(i) } end
