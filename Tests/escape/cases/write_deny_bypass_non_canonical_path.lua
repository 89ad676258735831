-- expect: exit=3 stderr~deny nofile=state/secrets/a.txt nofile=state/secrets/b.txt within=5
-- args: --allow fs.write:* --deny fs.write:secrets/*
-- why: "./secrets/a.txt" and ".//secrets/b.txt" name the same files as "secrets/…"; the deny rule must match the file, not the spelling.
local fs = require "unidesk.fs"
print(pcall(fs.write, "./secrets/a.txt", "x"))
print(pcall(fs.write, ".//secrets/b.txt", "x"))
