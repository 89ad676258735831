-- expect: exit=0 stdout~SAFE stdout!~ESCAPED within=5
-- env: UNIDESK_TEST_HIDDEN=hidden-value-7731
-- why: unidesk.env reads only names exposed by --env/--secret-env/policy.
local ok1 = pcall(unidesk.env, "UNIDESK_TEST_HIDDEN")
local ok2 = pcall(unidesk.env, "HOME")
local ok3 = pcall(unidesk.env, "PATH")
if not (ok1 or ok2 or ok3) then print("SAFE") else print("ESCAPED: unexposed environment readable") end
