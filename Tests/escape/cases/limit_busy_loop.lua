-- expect: exit=4 stderr~deadline stderr~limit: within=2
-- args: --timeout 1
while true do end
