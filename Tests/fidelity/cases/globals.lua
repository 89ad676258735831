-- differs: no os, no dofile/loadfile, no arg; io and debug reduced (io.write/stdout/stderr/
-- type, debug.traceback); no string.dump; package without cpath/loadlib; the unidesk table.
-- Which globals and library functions exist (names sorted, so the order of the hash part
-- does not matter). Stock Lua 5.4 as the lua5.4 binary opens it: every standard library,
-- plus arg (the command line).
local function names(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = tostring(k) end
  table.sort(out)
  return table.concat(out, " ")
end
print("_G: " .. names(_G))
for _, lib in ipairs({ "string", "table", "math", "utf8", "coroutine", "package", "io", "os", "debug" }) do
  local t = rawget(_G, lib)
  print(lib .. ": " .. (type(t) == "table" and names(t) or tostring(t)))
end
print(_VERSION, type(_G), _G._G == _G)
