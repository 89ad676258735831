-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: no C searcher: native modules (lfs, socket.core, cjson) must not load.
local loaded = {}
for _, name in ipairs({ "lfs", "socket.core", "cjson", "posix", "ffi", "lpeg" }) do
  if pcall(require, name) then loaded[#loaded + 1] = name end
end
if #loaded == 0 then print("SAFE") else print("ESCAPED: loaded " .. table.concat(loaded, ", ")) end
