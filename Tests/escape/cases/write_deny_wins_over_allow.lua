-- expect: exit=3 stderr~deny nofile=state/secrets/token.txt file=state/public/ok.txt within=5
-- args: --allow fs.write:* --deny fs.write:secrets/*
-- why: deny always wins; the allowed write next to it still happens.
local fs = require "unidesk.fs"
fs.write("public/ok.txt", "fine")
print(pcall(fs.write, "secrets/token.txt", "x"))
