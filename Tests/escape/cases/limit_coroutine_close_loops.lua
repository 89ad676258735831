-- expect: exit=4 stderr~deadline stderr!~stopped report~limit within=2
-- args: --timeout 1
-- why: coroutine.close runs the coroutine's pending __close on that coroutine's thread, which
-- the deadline does not arm; only the hard kill ends it (no report).
local co = coroutine.create(function()
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
  coroutine.yield()
end)
coroutine.resume(co)
print(coroutine.close(co))
