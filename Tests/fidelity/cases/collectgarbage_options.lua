-- collectgarbage options that cannot break the memory cap or the deadline: count, collect,
-- step, isrunning, incremental, generational (each returns what Lua 5.4 returns).
print(math.type(collectgarbage("count")), collectgarbage("count") > 0)
print(collectgarbage("collect"), collectgarbage(), select("#", collectgarbage("collect")))
print(type(collectgarbage("step")), collectgarbage("step", 0) ~= nil)
print(collectgarbage("isrunning"))
-- the first switch returns the host's default mode (see gc_default_mode.lua), so only its type
print(type(collectgarbage("incremental")), collectgarbage("generational"), collectgarbage("incremental"))
print(collectgarbage("incremental", 0, 0, 0), collectgarbage("generational", 0, 0))
print(collectgarbage("incremental"))
print(collectgarbage("isrunning"))
local before = collectgarbage("count")
do local junk = {} for i = 1, 10000 do junk[i] = { i } end end
collectgarbage("collect")
print(collectgarbage("count") < before + 500)
print(pcall(collectgarbage, "bogus"))
