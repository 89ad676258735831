-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: require "os"/"io"/"debug" would hand back the real standard libraries.
local loaded = {}
for _, name in ipairs({ "os", "io", "debug", "package", "_G", "coroutine", "string" }) do
  local ok, m = pcall(require, name)
  if ok then loaded[#loaded + 1] = name .. "=" .. tostring(m) end
end
if #loaded == 0 then print("SAFE") else print("ESCAPED: " .. table.concat(loaded, ", ")) end
