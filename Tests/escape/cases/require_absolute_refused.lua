-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: absolute module names must not load files from anywhere on disk.
local loaded = {}
for _, name in ipairs({ "/etc/passwd", "/usr/share/lua/5.4/x", "etc.passwd", "\0x" }) do
  if pcall(require, name) then loaded[#loaded + 1] = name end
end
if #loaded == 0 then print("SAFE") else print("ESCAPED: required " .. table.concat(loaded, ", ")) end
