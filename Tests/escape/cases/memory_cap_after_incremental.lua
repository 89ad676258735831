-- expect: exit=4 stderr~memory stderr~limit: within=10
-- args: --max-memory 64 --timeout 30
-- why: switching the collector's mode must leave the memory cap in force.
collectgarbage("incremental")
collectgarbage("collect")
local t, i = {}, 0
while true do i = i + 1; t[i] = { i, tostring(i) } end
