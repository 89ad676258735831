-- expect: exit=4 stderr~deadline stdout!~SURVIVED within=2
-- args: --timeout 1
-- why: a host call that blocks (sleep) must end at the deadline, and pcall must not swallow the limit after it.
local time = require "unidesk.time"
print(pcall(time.sleep, 100))
print("SURVIVED")
