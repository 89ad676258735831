-- Recursive Fibonacci: function calls, integer arithmetic, comparisons.
-- Plain Lua 5.4: runs under both `lua5.4 fib.lua` and `unidesk run fib.lua`.
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

local N = 37
print("fib", N, fib(N))
