-- expect: exit=0 stdout~<secret> nosecret=TOKEN within=5
-- args: --secret-env TOKEN
-- env: TOKEN=hunter2-print-SECRET-7731
local s = unidesk.env("TOKEN")
print(s)
print("token:", s, string.format("%s", s))
unidesk.log.info("token", s)
