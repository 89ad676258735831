-- differs: collectgarbage refuses "stop", "setpause", "setstepmul" and tuning arguments to
-- "incremental"/"generational": the memory cap counts garbage too, so a stopped or slowed
-- collector would end a run whose live data fits (docs/sandbox.md, collectgarbage).
-- Stock Lua returns each option's value; unidesk raises, and the collector keeps running.
local function try(...)
  local ok, result = pcall(collectgarbage, ...)
  if ok then return "ok " .. tostring(result) end
  return "refused " .. tostring(result:match("not allowed in the sandbox") ~= nil)
end
print(try("stop"))
print(try("restart"))
print(try("setpause", 100))
print(try("setstepmul", 200))
print(try("incremental", 100, 200, 10))
print(try("generational", 20, 100))
print(collectgarbage("isrunning"))
