-- expect: exit=4 stderr~deadline within=2
-- args: --timeout 1
table.sort({ 3, 1, 2, 5, 4 }, function() while true do end end)
