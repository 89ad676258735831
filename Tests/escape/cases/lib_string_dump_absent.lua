-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- why: string.dump produces bytecode; it must be gone from the library and from the string metatable.
if string.dump == nil and ("").dump == nil and rawget(string, "dump") == nil then print("SAFE")
else print("ESCAPED: string.dump reachable") end
