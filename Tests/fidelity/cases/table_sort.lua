-- table.sort: default order, comparators, errors raised by the comparator or by comparing
-- mixed types, an inconsistent comparator ("invalid order function"), __lt on elements.
local function list(t) local o = {} for i = 1, #t do o[i] = tostring(t[i]) end return table.concat(o, " ") end
local t = { 5, 2, 8, 1, 9, 3, 3, -1, 0.5 }
table.sort(t); print(list(t))
table.sort(t, function(a, b) return a > b end); print(list(t))
local s = { "b", "a", "\xff", "B", "", "a\0b", "a\0a" }
table.sort(s)
local o = {} for i, v in ipairs(s) do o[i] = ("%q"):format(v) end print(table.concat(o, " "))
print(pcall(table.sort, { 1, "x", 2 }))
print(pcall(table.sort, { 3, 2, 1 }, function(a, b) error("cmp failed") end))
local ok, e = pcall(table.sort, { 3, 2, 1 }, function(a, b) error({ code = 7 }) end)
print(ok, type(e), e.code)
print(pcall(table.sort, { 3, 2, 1 }, function(a, b) error() end))
print(pcall(table.sort, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }, function(a, b) return true end))
print(pcall(table.sort, { 1, nil, 3 }))
print(pcall(table.sort, {}, 1))
local mt = { __lt = function(a, b) return a.v < b.v end }
local objs = {}
for i, v in ipairs({ 4, 1, 3, 2 }) do objs[i] = setmetatable({ v = v }, mt) end
table.sort(objs)
local vs = {} for i, x in ipairs(objs) do vs[i] = x.v end print(table.concat(vs, ","))
local big = {} for i = 1, 200 do big[i] = (i * 7919) % 211 end
table.sort(big)
local sorted = true for i = 2, #big do if big[i - 1] > big[i] then sorted = false end end
print(sorted, big[1], big[200])
local calls = 0
table.sort({ 5, 4, 3, 2, 1 }, function(a, b) calls = calls + 1 return a < b end)
print(calls > 0)
local proxy = setmetatable({}, { __index = { 3, 1, 2 }, __len = function() return 3 end,
  __newindex = function(t, k, v) rawset(t, k, v) end })
table.sort(proxy)
print(rawget(proxy, 1), rawget(proxy, 2), rawget(proxy, 3))
