-- expect: exit=4 stderr~stopped\shard stderr~deadline within=4
-- args: --timeout 1
-- why: the matcher runs in C for minutes and never reaches a hook; the hard stop must end it.
print(string.find(string.rep("a", 40000), ".-.-.-.-.-.-b"))
