-- expect: exit=3 stdout~SAFE stdout!~ESCAPED nofile=outside/through-link.txt within=5
-- args: --allow fs.write:*
-- A refusal is a denial: journaled and sticky, so the run exits 3 even though the script caught it.
-- why: state/outside_link -> ROOT/outside; a write through a symlink in the state dir leaves it.
local fs = require "unidesk.fs"
local ok, err = pcall(fs.write, "outside_link/through-link.txt", "x")
if not ok and tostring(err):find("refused") then print("SAFE") else print("ESCAPED: " .. tostring(err)) end
