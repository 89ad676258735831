-- expect: exit=4 stderr~deadline stdout!~SURVIVED stderr!~other-error within=2
-- args: --timeout 1
-- why: a coroutine that catches the limit and raises its own error must not replace the limit.
local co = coroutine.create(function()
  pcall(function() while true do end end)
  error("other-error")
end)
print(coroutine.resume(co))
print("SURVIVED")
