-- Finalizers (__gc) during the script: a full collection runs the finalizers of unreachable
-- objects (in reverse order of marking), resurrection, and __gc set after setmetatable is
-- ignored. Only what a full collection guarantees is printed.
local log = {}
do
  for i = 1, 3 do
    setmetatable({}, { __gc = function() log[#log + 1] = "gc" .. i end })
  end
end
collectgarbage("collect")
print(table.concat(log, " "))
log = {}
local mt = {}
local late = setmetatable({}, mt)
mt.__gc = function() log[#log + 1] = "late" end
late = nil
collectgarbage("collect")
print("late gc ran:", #log)
local resurrected
do
  setmetatable({ name = "phoenix" }, { __gc = function(o) resurrected = o end })
end
collectgarbage("collect")
print(resurrected and resurrected.name)
local kept = setmetatable({}, { __gc = function() print("never while referenced") end })
collectgarbage("collect")
print("kept", kept ~= nil)
kept = setmetatable(kept, nil)
local weak = setmetatable({}, { __mode = "v" })
weak[1] = {}
weak[2] = "strings are values"
collectgarbage("collect")
print(weak[1], weak[2])
