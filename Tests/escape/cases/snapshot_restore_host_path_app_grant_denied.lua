-- expect: exit=3 stdout~TAKEN stderr~policy\sdenied\ssnapshot.restore:myapp// stdout!~ESCAPED
-- args: --allow snapshot.take:myapp//* --allow snapshot.restore:myapp --allow snapshot.restore:myapp/* --var target=${ROOT}/outside
-- why: a restore overwrites every directory in the snapshot: one over a host path needs a grant naming that path, not the app's.
local snapshot = require "unidesk.snapshot"
snapshot.take { app = "myapp", volumes = { unidesk.vars.target } }
print("TAKEN")
local ok = pcall(snapshot.restore, { app = "myapp" })
if ok then print("ESCAPED: restored over " .. unidesk.vars.target) end
