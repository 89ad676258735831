-- expect: exit=4 stderr~deadline stderr!~stopped report~limit within=2
-- args: --timeout 1
-- why: the limit is raised from the hook, so the message handler runs with hooks off; a looping
-- handler must still be stopped by the soft deadline (with a report), not only by the hard kill.
xpcall(function() while true do end end, function() while true do end end)
