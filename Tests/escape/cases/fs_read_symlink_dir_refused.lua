-- expect: exit=3 stderr~refused stdout!~root: within=5
-- why: recipe/etc_link -> /etc (made by the test, never committed).
local fs = require "unidesk.fs"
print(fs.read("etc_link/passwd"))
