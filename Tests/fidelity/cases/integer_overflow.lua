-- Integer arithmetic wraps around (two's complement); float conversion and comparisons
-- near the limits stay exact.
local max, min = math.maxinteger, math.mininteger
print(max + 1 == min, min - 1 == max, max * 2, min * -1, -min, min // -1, min % -1)
print(max + 1, min - 1, max * max, 0x7fffffffffffffff + 1, 0xffffffffffffffff)
print(max + 1.0, min - 1.0, max // 1, max / 1)
print(1 << 62 << 1, (1 << 63) - 1, 12345678901234567890)
print(math.abs(min), -(min), min // 1, min * 1.0)
local x = 1
for _ = 1, 70 do x = x * 2 end
print(x)
local f = 1
for i = 1, 25 do f = f * i end
print(f)
print(max < max + 0.0, max + 0.0 == 2^63, min == min + 0.0, max == max + 0.0)
print(string.format("%d", min), tostring(min), min .. "", min + 0.0)
print(tonumber("9223372036854775807"), tonumber("9223372036854775808"), tonumber("-9223372036854775808"))
print(math.tointeger("9223372036854775808"), 9223372036854775808, -9223372036854775808)
