-- Numeric for loops: integer limits near maxinteger/mininteger (no overflow, no endless
-- loop), float loops, negative steps, step zero, float limits on integer loops, and the
-- loop variable being a copy.
local function run(a, b, c)
  local out, n = {}, 0
  if c then
    for i = a, b, c do n = n + 1 if n <= 5 then out[#out + 1] = tostring(i) end end
  else
    for i = a, b do n = n + 1 if n <= 5 then out[#out + 1] = tostring(i) end end
  end
  return n .. ":" .. table.concat(out, ",")
end
local max, min = math.maxinteger, math.mininteger
print(run(1, 3), run(3, 1), run(3, 1, -1), run(1, 10, 4), run(10, 1, -4))
print(run(max - 2, max), run(min, min + 2), run(max - 1, max, 10), run(min + 1, min, -10))
print(run(min, max, max), run(max, min, min), run(1, 0), run(0, 0))
print(run(1, 2.5), run(1, -0.5), run(1.0, 3), run(0.1, 0.35, 0.1), run(1, 1e300, 1e299))
print(run(1, math.huge, 1 << 62), run(3, -math.huge, -(1 << 62)), run(1, 0/0), run(0.0, 1, 0.25))
print(run(max, 1e100), run(min, -1e100, -1), run(1, 3.9999), run(-3, -1.5, 1))
print(pcall(run, 1, 10, 0))
print(pcall(run, 1.0, 10, 0.0))
print(pcall(run, "1", 2))
print(pcall(run, 1, "2"))
print(pcall(run, 1, 2, "1"))
print(pcall(run, 1, {}))
local t = {}
for i = 1, 3 do i = i * 10 t[#t + 1] = i end
print(table.concat(t, ","))
for i = 1, 2 do local f = function() return i end t[i] = f end
print(t[1](), t[2]())
local types = {}
for i = 1, 2 do types[#types + 1] = math.type(i) end
for i = 1.0, 2 do types[#types + 1] = math.type(i) end
for i = 1, 2.0 do types[#types + 1] = math.type(i) end
for i = 1, 2, 1.0 do types[#types + 1] = math.type(i) end
print(table.concat(types, " "))
local w = 0 while w < 3 do w = w + 1 end
local r = 0 repeat local z = r r = r + 1 until z >= 2
print(w, r)
