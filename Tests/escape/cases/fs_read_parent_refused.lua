-- expect: exit=3 stderr~refused stdout!~OUTSIDE-CONTENT within=5
-- why: ROOT/outside.txt exists right above the recipe directory; '..' must be refused, not just "not found".
local fs = require "unidesk.fs"
print(fs.read("../outside.txt"))
