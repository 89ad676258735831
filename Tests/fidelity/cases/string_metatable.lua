-- differs: getmetatable("") returns a placeholder (the string "read-only"), not the real
-- metatable: the string metatable is shared with the stdlib modules and must stay read-only.
-- The metatable shared by all strings: its __index is the string library, so methods work
-- on literals; getmetatable("") exposes it.
local mt = getmetatable("")
print(type(mt), type(mt) == "table" and mt.__index == string)
print(("x"):rep(2), ("%d"):format(7), ("abc"):len(), #("abc"):upper())
print(pcall(function() return ("x").nonexistent end))
print(pcall(function() return ("x"):nonexistent() end))
