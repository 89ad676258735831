-- differs: a function added to the string library is not a method of strings in unidesk
-- (`s:trim()` fails, `string.trim(s)` works): strings share their metatable with the stdlib
-- modules, so its __index stays the sandbox's read-only string library, while the global
-- `string` is the recipe's own copy. Replacing string.format likewise leaves ("…"):format.
function string.trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end
print(string.trim("  padded  "))
print(pcall(function() return ("  padded  "):trim() end))
local format = string.format
string.format = function(fmt, ...) return "[" .. format(fmt, ...) .. "]" end
print(string.format("%d", 7), ("%d"):format(7))
