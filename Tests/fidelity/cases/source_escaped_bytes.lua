-- The same non-UTF-8 bytes written as escapes: \xHH, \ddd, \u{...} (also beyond U+10FFFF,
-- which Lua 5.4 encodes with up to 6 bytes) and \z.
local function bytes(s)
  local t = {}
  for i = 1, #s do t[#t + 1] = string.byte(s, i) end
  return #s .. ": " .. table.concat(t, " ")
end

print(bytes("\xe1\xff"))
print(bytes("\225\255\0\1\127\128"))
print(bytes("\u{0}\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}"))
print(bytes("\u{D800}\u{DFFF}"))
print(bytes("\u{110000}\u{7FFFFFFF}"))
print(bytes("a\z
             b\
c"))
print(bytes(string.char(0, 255, 128, 10, 13)))
print("\xe1\xff" == string.char(0xe1, 0xff))
print(("\0"):len(), ("a\0b"):len(), #"\0\0\0")
