-- differs: finalizers do not run when a run ends (as with os.exit in lua.c); the host cleans
-- up its own resources (docs/sandbox.md, Limits). unidesk prints only the first line.
-- A finalizer (__gc) of an object still alive when the script ends: lua.c closes its state
-- after the script, which runs pending finalizers, so stock Lua prints "finalized" last.
local obj = setmetatable({}, { __gc = function() print("finalized") end })
print("end of script", obj ~= nil)
