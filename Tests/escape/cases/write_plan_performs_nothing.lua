-- expect: exit=0 nofile=state/plan.txt report~"planned" stderr~fs.write:plan.txt within=5
-- command: plan
-- args: --allow fs.write:*
-- why: `unidesk plan` records writes as planned effects and performs none, even when granted.
local fs = require "unidesk.fs"
local written = fs.write("plan.txt", "x")
print("written:", written)
