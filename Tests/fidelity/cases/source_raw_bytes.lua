-- Raw non-UTF-8 bytes written directly in the source (as Latin-1 sources and Lua's own
-- test suite do): the string must hold exactly those bytes.
local function bytes(s)
  local t = {}
  for i = 1, #s do t[#t + 1] = string.byte(s, i) end
  return #s .. ": " .. table.concat(t, " ")
end

local raw = "áÿ"
print(bytes(raw))
print(bytes("café naïve"))
print(bytes("Ã(  ¡ ğ(Œ¼ í €"))
print(bytes('şşÿÿ'))
print(bytes([[€
ÀÁ]]))
-- a raw byte inside a comment is ignored: ÿş
print(raw == "\225\255", raw == "\xe1\xff")
print(utf8.len(raw))
print(raw:upper() == raw, raw:lower() == raw)
local t = { ["été"] = 1 }
print(t["\xe9t\xe9"], t["\233t\233"])
