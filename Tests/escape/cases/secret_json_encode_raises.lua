-- expect: exit=1 stderr~secret nosecret=TOKEN within=5
-- args: --secret-env TOKEN
-- env: TOKEN=hunter2-json-SECRET-7731
local json = require "unidesk.json"
print(json.encode({ s = unidesk.env("TOKEN") }))
