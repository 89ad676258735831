-- Pattern matching over bytes that are not UTF-8 (written as escapes, then raw): classes,
-- ranges, anchors, captures, %b, %f, gsub with string/table/function replacements, gmatch.
local function bytes(s)
  if s == nil then return "nil" end
  if type(s) ~= "string" then return tostring(s) end
  if s:find("^[%w%p ]*$") then return "'" .. s .. "'" end
  local t = {}
  for i = 1, #s do t[#t + 1] = string.byte(s, i) end
  return "<" .. table.concat(t, " ") .. ">"
end
local function show(...)
  local n = select("#", ...)
  local out = {}
  for i = 1, n do out[i] = bytes((select(i, ...))) end
  print(n, table.concat(out, " "))
end

local s = "ab\xe1\xff\0cd\xe9t\xe9"
show(s:find("\xff"))
show(s:find("\xe1\xff", 1, true))
show(s:find("[\x80-\xff]+"))
show(s:match("([\xe0-\xef])(.)"))
show(s:find("%z"))
show(s:find("\0", 1, true))
show(s:find("%a+", 3))
show(s:match("[^%w]+"))
show(s:match(".-(\xe9)(.)(\xe9)$"))
show(s:gsub("[\x80-\xff]", "?"))
show(s:gsub("[\x80-\xff]", { ["\xe1"] = "A", ["\xff"] = false }))
show(s:gsub("[\x80-\xff]", function(c) return ("%02X"):format(c:byte()) end))
show(s:gsub("", "-", 3))
show(("\xff(\xfe)\xfd"):match("%b()"))
show(("THE (quick) fox"):find("%f[%a]%a+", 5))
show(("\xc3\xa9t\xc3\xa9"):match("^(\xc3.)"))
show(("x\xffy\xffz"):gsub("\xff", "%%"))
show(("hello world"):gsub("(%w+)", "%1 %0"))
show(("abc"):gsub("%w", "%%1"))
local parts = {}
for k, v in ("a=\xe1, b=\xff,c=\0"):gmatch("(%w+)=([^,]*)") do parts[#parts + 1] = k .. bytes(v) end
print(table.concat(parts, ";"))
for i, w in ("one two  three"):gmatch("()(%S+)") do print(i, w) end
show(pcall(string.find, "a", "[a"))
show(pcall(string.gsub, "a", "(", "x"))
show(pcall(string.gsub, "abc", "%w", "%2"))
show(pcall(string.rep, "x", -1))
show(("abc"):find("b", -10), ("abc"):find("", 10), ("abc"):find("", 4))
-- the same patterns with the bytes written raw in the source (a Latin-1 file)
show(s:find("ÿ"))
show(s:find("[€-ÿ]+"))
show(("café à la crème"):gsub("[à-ï]", "e"))
show(("été"):match("^é(.)é$"))
