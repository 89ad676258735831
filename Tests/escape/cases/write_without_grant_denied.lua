-- expect: exit=3 stderr~denied nofile=state/report.txt within=5
-- why: writes need a grant; the denial stands even when the script catches the error.
local fs = require "unidesk.fs"
local ok, err = pcall(fs.write, "report.txt", "data")
print("caught:", ok, err)
