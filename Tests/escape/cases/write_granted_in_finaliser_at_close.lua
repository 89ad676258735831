-- expect: exit=0 nofile=state/after-report.txt within=5
-- args: --allow fs.write:*
-- why: an effect performed after the report is written would be missing from the audit.
local fs = require "unidesk.fs"
setmetatable({}, { __gc = function() fs.write("after-report.txt", "x") end })
