-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: load with a reader function delivers the chunk in pieces; the first piece is the signature.
local pieces = { "\27Lua", "T\0\25\147\r\n\26\n", "\4\8\8" }
local i = 0
local f, err = load(function() i = i + 1; return pieces[i] end, "reader", "bt")
if f == nil and tostring(err):find("binary") then print("SAFE") else print("ESCAPED: bytecode through a reader") end
