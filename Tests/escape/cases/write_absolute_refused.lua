-- expect: exit=3 stderr~refused nofile=outside/abs.txt within=5
-- args: --allow fs.write:* --var root=${ROOT}
-- why: an absolute path names a file anywhere; the grant's '*' must not make it writable.
local fs = require "unidesk.fs"
fs.write(unidesk.vars.root .. "/outside/abs.txt", "x")
