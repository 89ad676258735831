-- expect: exit=1 stderr~too\slarge within=5
-- args: --max-memory 64
-- why: 2^40 bytes: refused by string.rep's own size check before any allocation.
local s = string.rep("x", 2^40)
print(#s)
