-- tostring/print/%g/%.14g/string concatenation of the special float values: inf, -inf,
-- nan (which prints as "-nan" or "nan" depending on its sign bit), -0.0, and huge/tiny values.
local inf, nan = 1 / 0, 0 / 0
print(inf, -inf, nan, -nan, -(0/0), math.huge - math.huge, math.sqrt(-1))
print(tostring(inf), tostring(-inf), tostring(nan), tostring(-nan), inf .. "", nan .. "")
print(string.format("%g %g %g %g", inf, -inf, nan, -nan), string.format("%.3f %f", inf, -nan))
print(string.format("%5.1f|%-6g|%e", inf, nan, -inf))
print(-0.0, 0.0, tostring(-0.0), -0.0 == 0.0, 1 / -0.0, 1 / 0.0, -0.0 .. "", string.format("%g", -0.0))
print(nan == nan, nan ~= nan, nan < nan, nan > 1, inf > math.maxinteger, -inf < math.mininteger)
print(math.type(inf), math.type(nan), math.tointeger(inf), math.tointeger(nan), math.floor(2.5))
print(pcall(math.floor, inf))
print(pcall(math.floor, nan))
print(pcall(string.format, "%d", inf))
print(math.max(nan, 1), math.max(1, nan), math.min(nan, 1), math.min(1, nan))
print(1e308 * 10 == inf, -1e308 * 10 == -inf, 2^1024, 2^-1075, 2^-1074)
print(tonumber("inf"), tonumber("1e400"), tonumber("-1e400"), tonumber("1e-400"), tonumber("0x1p-1080"))
print(string.format("%q", nan), string.format("%q", -nan) == string.format("%q", nan))
local t = {}
print(pcall(function() t[nan] = 1 end))
t[inf] = "inf key" t[-0.0] = "zero key"
print(t[inf], t[0], t[0.0], t[-0.0])
print(math.abs(-0.0), math.abs(-inf), -nan ~= -nan, math.fmod(inf, 1), math.fmod(1, inf))
print(inf // 1, -inf // 1, nan // 1, inf % 2, 5 % inf, -5 % inf, 5 % -inf)
