-- expect: exit=4 stderr~memory within=10
-- args: --max-memory 64 --timeout 30
local s = "x"
while true do s = s .. s end
