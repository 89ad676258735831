-- expect: exit=0 stdout~SAFE stdout!~ESCAPED nosecret=TOKEN within=5
-- args: --secret-env TOKEN
-- env: TOKEN=hunter2-tostring-SECRET-7731
local s = unidesk.env("TOKEN")
local meta = getmetatable(s)
if tostring(s) == "<secret>" and type(meta) ~= "table" then print("SAFE") else print("ESCAPED: " .. tostring(s)) end
