-- expect: exit=3 stderr~policy\sdenied\ssnapshot.take:myapp//etc stdout!~ESCAPED nofile=state/snapshots/myapp
-- args: --allow snapshot.*
-- why: even a grant of every snapshot scope does not cover a host path: /etc is never tar'd into the state dir.
local snapshot = require "unidesk.snapshot"
local ok = pcall(snapshot.take, { app = "myapp", volumes = { "/etc/../etc/" } })
if ok then print("ESCAPED: took a snapshot of /etc") end
