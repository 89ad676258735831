-- expect: exit=4 stderr~deadline stdout!~SURVIVED within=2
-- args: --timeout 1
-- why: the deadline must reach the innermost running coroutine, three levels down.
local function nest(n)
  if n == 0 then while true do end end
  return coroutine.wrap(function() return nest(n - 1) end)()
end
print(pcall(nest, 3))
print("SURVIVED")
