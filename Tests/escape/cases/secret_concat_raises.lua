-- expect: exit=1 stderr~secret nosecret=TOKEN within=5
-- args: --secret-env TOKEN
-- env: TOKEN=hunter2-concat-SECRET-7731
local s = unidesk.env("TOKEN")
print("Bearer " .. s)
