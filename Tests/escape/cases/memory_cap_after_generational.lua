-- expect: exit=4 stderr~memory stderr~limit: within=10
-- args: --max-memory 64 --timeout 30
-- why: switching back to generational mode must leave the memory cap in force.
collectgarbage("incremental")
collectgarbage("generational")
local t, i = {}, 0
while true do i = i + 1; t[i] = { i, tostring(i) }; if i % 100000 == 0 then collectgarbage("step") end end
