-- The standard library tables are ordinary tables a script may change: add helpers to
-- them, replace or remove a function, set a field with rawset, give one a metatable.
-- require and package.loaded return the same tables as the globals.
function string.trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end
function table.sum(t) local n = 0 for _, v in ipairs(t) do n = n + v end return n end
math.tau = 2 * math.pi
utf8.bom = "\u{FEFF}"
print(string.trim("  padded  "), table.sum({ 1, 2, 3 }), math.tau == 2 * math.pi, #utf8.bom)
print(require("string").trim == string.trim, package.loaded.table.sum == table.sum)
require("math").half = 0.5
print(math.half, package.loaded.math.half)

local original_format = string.format
string.format = function(fmt, ...) return "[" .. original_format(fmt, ...) .. "]" end
print(string.format("%d-%s", 1, "a"))
string.format = original_format
print(string.format("%d-%s", 1, "a"))

local insert = table.insert
table.insert = nil
print(table.insert, pcall(function() table.insert({}, 1) end) == false)
table.insert = insert

rawset(coroutine, "extra", 1)
print(rawget(coroutine, "extra"), getmetatable(math))
setmetatable(math, { __index = function(_, k) return "missing " .. k end })
print(math.nothing, math.floor(2.5))
setmetatable(math, nil)
print(math.nothing, rawlen(string), #table)
local names = {}
for k in pairs(coroutine) do names[#names + 1] = k end
table.sort(names)
print(table.concat(names, " "))
