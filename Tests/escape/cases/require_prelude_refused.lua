-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: the trusted prelude and other underscore stdlib files must not be re-runnable.
local loaded = {}
for _, name in ipairs({ "unidesk._prelude", "unidesk._x", "unidesk.fs._prelude" }) do
  if pcall(require, name) then loaded[#loaded + 1] = name end
end
if #loaded == 0 and __unidesk_trusted == nil then print("SAFE") else print("ESCAPED: " .. table.concat(loaded, ", ")) end
