-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: precompiled bytecode can break the VM's memory safety; load must take text only.
local chunk = "\27LuaT\0\25\147\r\n\26\n\4\8\8\120\86\0\0\0\0\0\0\0\0\0\0\0\40\119\64\1"
local f, err = load(chunk)
if f == nil and tostring(err):find("binary") then print("SAFE") else print("ESCAPED: binary chunk loaded") end
