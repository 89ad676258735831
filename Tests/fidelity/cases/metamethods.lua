-- Metamethods: __index (table and function, chains), __newindex, __call (with extra args),
-- __concat, __eq, __lt, __le, __len, __unm, arithmetic and bitwise, __tostring, __name,
-- __metatable protection, __mode is accepted, rawget/rawset bypass.
local V = {}
V.__index = V
local function new(x) return setmetatable({ x = x }, V) end
function V.get(self) return self.x end
V.__add = function(a, b) return new((type(a) == "table" and a.x or a) + (type(b) == "table" and b.x or b)) end
V.__concat = function(a, b)
  local l = type(a) == "table" and ("V" .. a.x) or tostring(a)
  local r = type(b) == "table" and ("V" .. b.x) or tostring(b)
  return l .. "|" .. r
end
V.__eq = function(a, b) return a.x == b.x end
V.__lt = function(a, b) return a.x < b.x end
V.__le = function(a, b) return a.x <= b.x end
V.__len = function(a) return a.x * 10 end
V.__unm = function(a) return new(-a.x) end
V.__call = function(self, a, b) return "called", self.x, a, b end
V.__tostring = function(a) return "V(" .. tostring(a.x) .. ")" end
V.__idiv = function() return "idiv" end
V.__band = function() return "band" end
V.__shl = function() return "shl" end
V.__bnot = function() return "bnot" end
V.__mod = function() return "mod" end
V.__pow = function() return "pow" end
local a, b = new(1), new(2)
print(a:get(), (a + b).x, (a + 5).x, (5 + a).x, tostring(-a))
print(a .. b, a .. "s", "s" .. a, 1 .. a, a .. b .. "c")
print(a == b, a == new(1), a ~= new(1), a < b, a <= b, a > b, a >= b, #a)
print(a(7, 8))
print(a // 1, a & 1, a << 1, ~a, a % 2, a ^ 2)
print(tostring(a), rawequal(a, new(1)), rawlen(a))
print(pcall(function() return a < 1 end))
print(pcall(function() return {} < {} end))
print(pcall(function() return {} .. {} end))
print(pcall(function() local t = setmetatable({}, {}) return t() end))
local log = {}
local store = {}
local p = setmetatable({}, {
  __index = function(t, k) log[#log + 1] = "get " .. tostring(k) return store[k] end,
  __newindex = function(t, k, v) log[#log + 1] = "set " .. tostring(k) store[k] = v end,
})
p.a = 1; p.a = 2; local _ = p.a; local _ = p.missing; rawset(p, "r", 3); p.r = 4
print(table.concat(log, ","), rawget(p, "a"), p.r, store.r)
local base = { hello = "base" }
local mid = setmetatable({}, { __index = base })
local top = setmetatable({}, { __index = mid })
print(top.hello, rawget(top, "hello"))
local ni = setmetatable({}, { __newindex = base })
ni.viaNewindex = true
print(rawget(ni, "viaNewindex"), base.viaNewindex)
local locked = setmetatable({}, { __metatable = "locked" })
print(getmetatable(locked), pcall(setmetatable, locked, {}))
print(("abc"):upper(), ("%d"):format(3), #("abc"):rep(2))
print(pcall(setmetatable, {}, 1))
print(type(setmetatable({}, { __mode = "k" })), type(setmetatable({}, { __gc = true })))
local named = setmetatable({}, { __name = "MyType" })
print(pcall(function() return named + 1 end))
print(pcall(function() return #named < 0 and named .. "" end))
local eqA = setmetatable({}, { __eq = function() return true end })
local eqB = setmetatable({}, { __eq = function() return false end })
print(eqA == eqB, eqB == eqA, eqA == 1)
local cmp = setmetatable({}, { __lt = function() return 1 end, __le = function() return nil end })
print(cmp < cmp, cmp <= cmp, cmp > cmp)
local idx = setmetatable({}, { __index = function(t, k) return k .. "!" end })
print(idx.foo, idx[1], ("x"):rep(2))
