-- expect: exit=3 stderr~refused stdout!~root: within=5
-- why: absolute paths leave the recipe directory.
local fs = require "unidesk.fs"
print(fs.read("/etc/passwd"))
