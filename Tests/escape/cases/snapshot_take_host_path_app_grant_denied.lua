-- expect: exit=3 stderr~policy\sdenied\ssnapshot.take:myapp// stdout!~ESCAPED nofile=state/snapshots/myapp
-- args: --allow snapshot.*:myapp --allow snapshot.*:myapp/* --var target=${ROOT}/outside
-- why: the app's grants cover its engine volumes, never a host path: a take of one is denied and nothing reaches the state dir.
local snapshot = require "unidesk.snapshot"
local ok = pcall(snapshot.take, { app = "myapp", volumes = { unidesk.vars.target } })
if ok then print("ESCAPED: took a snapshot of " .. unidesk.vars.target) end
