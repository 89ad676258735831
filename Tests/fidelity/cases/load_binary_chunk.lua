-- differs: load refuses binary chunks whatever the mode argument says (a crafted binary
-- chunk can crash the VM), with Lua's message for mode "t"; string.dump does not exist.
-- A string that starts with the binary-chunk signature (ESC "Lua"): with the default mode
-- "bt", stock Lua tries to undump it (a truncated chunk here); with mode "t" both refuse it.
print(load("\27Lua", "=bin", "t"))
print(load("\27Lua\x54\0garbage", "=bin2", "t"))
print(load("\27Lua\x54\0garbage", "=bin3"))
print(load("\27Lua", "=bin4", "bt"))
print(load("\27Lua", "=bin5", "b"))
print(type(string.dump))
