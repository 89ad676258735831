-- The utf8 library on valid and invalid input: len/codepoint/offset/codes/char, the lax
-- flag, overlong and surrogate sequences, and charpattern.
local function try(...)
  local r = table.pack(pcall(...))
  for i = 1, r.n do r[i] = tostring(r[i]) end
  print(table.concat(r, " ", 1, r.n))
end
try(utf8.len, "h\xc3\xa9llo")
try(utf8.len, "\xe1\xff")
try(utf8.len, "ab\xffcd", 1, -1)
try(utf8.len, "\xc0\x80")
try(utf8.len, "\xed\xa0\x80")
try(utf8.len, "\xed\xa0\x80", 1, -1, true)
try(utf8.len, "\xf4\x90\x80\x80")
try(utf8.len, "\xf4\x90\x80\x80", 1, -1, true)
try(utf8.len, "abc", 5)
try(utf8.len, "", 1)
try(utf8.codepoint, "h\xc3\xa9", 1, -1)
try(utf8.codepoint, "\xff")
try(utf8.codepoint, "\xe1\xff")
try(utf8.codepoint, "\xed\xa0\x80", 1, 1, true)
try(utf8.offset, "a\xc3\xa9b", 3)
try(utf8.offset, "a\xc3\xa9b", -1)
try(utf8.offset, "a\xc3\xa9b", 0, 3)
try(utf8.offset, "a\xc3\xa9b", 1, 3)
try(utf8.offset, "abc", 10)
try(utf8.char, 72, 233, 0x10FFFF, 0x7FFFFFFF, 0)
try(utf8.char, -1)
try(utf8.char, 0x80000000)
try(utf8.char)
local out = {}
for p, c in utf8.codes("a\xc3\xa9\xe2\x82\xac") do out[#out + 1] = p .. "=" .. c end
print(table.concat(out, ","))
try(function() for p, c in utf8.codes("a\xffb") do end end)
try(function() for p, c in utf8.codes("a\xed\xa0\x80", true) do end return "lax ok" end)
print(#utf8.charpattern, utf8.charpattern == "[\0-\x7F\xC2-\xFD][\x80-\xBF]*")
local n = 0
for ch in ("h\xc3\xa9\xff!"):gmatch(utf8.charpattern) do n = n + 1 end
print(n)
