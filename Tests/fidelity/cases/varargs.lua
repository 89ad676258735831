-- Varargs: select('#') with trailing nils, negative select, table.pack/unpack round trips,
-- adjustment to one value in the middle of a list, ... in main chunk and in closures.
local function count(...) return select("#", ...) end
print(count(), count(nil), count(nil, nil), count(1, nil, 3, nil))
print(select(2, "a", "b", "c"), select(-1, "a", "b", "c"), select(-3, "a", "b", "c"))
print(pcall(select, -4, "a", "b", "c"))
print(pcall(select, 0, "a"))
print(select(5, "a", "b"))
print(select("#", select(5, "a", "b")))
local function pass(...) return ... end
print(pass(1, nil, 3), (pass(1, 2, 3)), ({ pass(1, 2, 3) })[3], ({ (pass(1, 2, 3)) })[2])
local function mid(...) return pass(...), pass(...) end
print(mid(1, 2))
local function tail(...) local a, b = ... return a, b, select("#", ...) end
print(tail(), tail(1), tail(1, 2, 3))
local function packed(...) local t = table.pack(...) return t.n, #{ ... } end
print(packed(nil, nil, nil))
print(count(...), ... == nil)
local function varargs_in_closure(...)
  local args = table.pack(...)
  return function() return table.unpack(args, 1, args.n) end
end
print(varargs_in_closure(1, nil, 3)())
print(select("#", table.unpack({}, 1, 3)))
local many = {}
for i = 1, 250 do many[i] = i end
print(count(table.unpack(many)), select(250, table.unpack(many)))
print(math.max(table.unpack(many)), string.char(table.unpack({ 72, 105 })))
print(load("return ...", "=va")(1, 2, 3))
print(string.format("%s %s", pass("x", "y")))
