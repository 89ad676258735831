-- next/pairs/ipairs, checked without depending on the traversal order of hash keys:
-- collected keys are sorted before printing.
local function keys(t)
  local ks = {}
  for k, v in pairs(t) do ks[#ks + 1] = tostring(k) .. "=" .. tostring(v) end
  table.sort(ks)
  return table.concat(ks, " ")
end
local t = { 10, 20, 30, x = 1, y = 2, [1.5] = "f", [true] = "b", [-1] = "neg" }
print(keys(t))
print(next({}), next({}, nil), type(next(t)))
print(pcall(next, {}, "nokey"))
print(pcall(next, {}, 1))
print(pcall(next))
local seen = 0
for k in pairs(t) do seen = seen + 1 t[k] = nil end
print(seen, next(t))
local arr = { 1, 2, nil, 4 }
local n = 0 for i, v in ipairs(arr) do n = i end print(n)
local ip = setmetatable({}, { __index = function(_, i) if i <= 3 then return i * i end end })
local o = {} for i, v in ipairs(ip) do o[#o + 1] = v end print(table.concat(o, ","))
local custom = setmetatable({}, { __pairs = function(t) return function(_, k) if not k then return 1, "one" end end, t, nil end })
for k, v in pairs(custom) do print("custom", k, v) end
local f, s, c = pairs({})
print(f == next, type(s), c)
local f2, s2, c2 = ipairs({})
print(type(f2), type(s2), c2)
local big = {}
for i = 1, 100 do big["k" .. i] = i end
local sum, count = 0, 0
for k, v in pairs(big) do sum = sum + v count = count + 1 end
print(count, sum)
for i = 1, 100, 2 do big["k" .. i] = nil end
count = 0 for _ in pairs(big) do count = count + 1 end print(count)
print(rawlen({ 1, 2 }), rawlen("abc"), rawequal(t, t), rawequal("a", "a"), rawget({ 5 }, 1))
print(pcall(rawlen, 5))
print(pcall(rawset, {}, nil, 1))
print(pcall(rawset, {}, 0/0, 1))
print(pcall(function() local x = {} x[0/0] = 1 end))
local k = {} local m = { [k] = "tablekey" } print(m[k], m[{}])
local fk = { [1.0] = "a", [2] = "b" } print(fk[1], fk[2.0], math.type(next(fk)))
