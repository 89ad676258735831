-- Binary trees (Computer Language Benchmarks Game): allocation, GC, table constructors,
-- recursion, plus a closure per tree to exercise upvalues.
local function bottom_up(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return { bottom_up(depth), bottom_up(depth) }
end

local function check(tree)
  if tree[1] then return 1 + check(tree[1]) + check(tree[2]) end
  return 1
end

local function counter()
  local n = 0
  return function(k) n = n + k; return n end
end

local N = 15
local mindepth, maxdepth = 4, N
local stretch = maxdepth + 1
print("stretch tree of depth", stretch, "check:", check(bottom_up(stretch)))

local long_lived = bottom_up(maxdepth)
for depth = mindepth, maxdepth, 2 do
  local iters = 1 << (maxdepth - depth + mindepth)
  local add = counter()
  for _ = 1, iters do add(check(bottom_up(depth))) end
  print(iters, "trees of depth", depth, "check:", add(0))
end
print("long lived tree of depth", maxdepth, "check:", check(long_lived))
