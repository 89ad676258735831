-- require of the standard libraries the sandbox keeps: Lua returns the library table itself
-- (from package.loaded); the second value require returns is not checked.
local names = { "string", "table", "math", "utf8", "coroutine", "_G" }
for _, name in ipairs(names) do
  local ok, lib = pcall(require, name)
  print(name, ok, ok and (lib == _G[name] or (name == "_G" and lib == _G)))
end
print(require("string") == require("string"), require("string").format == string.format)
print(type(require), pcall(require))
