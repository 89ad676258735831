-- expect: exit=3 stderr~denied stdout!~PRIVATE-KEY-DATA within=5
-- args: --deny fs.read:private/*
-- why: "--deny: reads included" (unidesk run --help); a read the policy denies must not happen, and the run exits 3.
local fs = require "unidesk.fs"
local ok, content = pcall(fs.read, "private/key.txt")
print(ok and content or "denied: " .. tostring(content))
