-- expect: exit=0 stderr!~[denied] nofile=state/late.txt within=5
-- why: a finaliser left for the end of the run must not act after the outcome is decided (a denial
-- there could not change the exit code any more); docs/sandbox.md: finalisers do not run at the end.
local fs = require "unidesk.fs"
setmetatable({}, { __gc = function() pcall(fs.write, "late.txt", "x") end })
print("script body done")
