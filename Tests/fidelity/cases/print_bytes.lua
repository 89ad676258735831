-- print writes its arguments' bytes unchanged: NUL, bytes >= 0x80, lone CR, invalid UTF-8,
-- tabs between arguments, tostring of every argument, one newline at the end.
print("\xe9\xff\0end")
print("a\0b", "\0", "", nil, false, true, 0, -0, 1.5, "\r", "\xc3")
print()
print("")
print(("\xff"):rep(3, "\0"))
print(string.char(table.unpack((function() local t = {} for i = 0, 255 do t[#t + 1] = i end return t end)())))
print(setmetatable({}, { __tostring = function() return "\xe1\xff tostring" end }))
print(setmetatable({}, { __name = "My\xffType" }) ~= nil)
print(pcall(print, setmetatable({}, { __tostring = function() return 42 end })))
print(pcall(tostring, setmetatable({}, { __tostring = function() error("boom") end })))
print(#tostring(12), tostring(nil), tostring(1e100))
