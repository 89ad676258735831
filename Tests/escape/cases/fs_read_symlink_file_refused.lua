-- expect: exit=3 stderr~refused stdout!~root: within=5
-- why: recipe/passwd_link -> /etc/passwd.
local fs = require "unidesk.fs"
print(fs.read("passwd_link"))
