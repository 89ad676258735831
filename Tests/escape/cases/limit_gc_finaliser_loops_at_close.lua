-- expect: exit=0 stdout~body-done within=4
-- args: --timeout 1
-- why: finalisers run with hooks off; one that loops when the run ends must not hold the process
-- (docs/sandbox.md: finalisers do not run when a run ends).
setmetatable({}, { __gc = function() while true do end end })
print("body-done")
