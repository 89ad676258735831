-- expect: exit=3 stderr~refused nofile=escaped.txt nofile=outside/escaped.txt within=5
-- args: --allow fs.write:*
-- why: even with a broad grant, writes stay under --state-dir (ROOT/state); '..' leaves it.
local fs = require "unidesk.fs"
pcall(fs.write, "sub/../../outside/escaped.txt", "x")
fs.write("../escaped.txt", "x")
