-- expect: exit=4 stderr~deadline stderr~limit: within=3
-- args: --timeout 1
-- why: the deadline hook must still fire after the collector's mode changes, and a loop of
-- full collections must still be stopped.
collectgarbage("incremental")
collectgarbage("generational")
collectgarbage("incremental")
while true do collectgarbage("collect") end
