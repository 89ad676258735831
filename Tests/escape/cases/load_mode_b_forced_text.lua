-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: asking for mode "b" (binary only) or "bt" must not open the door to bytecode.
local refused = 0
for _, mode in ipairs({ "b", "bt", "tb" }) do
  local f, err = load("\27LuaT\0\25\147\r\n\26\n\4\8\8", "x", mode)
  if f == nil and tostring(err):find("binary") then refused = refused + 1 end
end
if refused == 3 then print("SAFE") else print("ESCAPED: a binary chunk loaded in mode b/bt") end
