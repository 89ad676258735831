-- expect: exit=1 stdout~<secret> nosecret=TOKEN within=5
-- args: --secret-env TOKEN --var raw=${TOKEN}
-- env: TOKEN=pa"ss\w&rd<7731>
-- why: passwords hold quotes, backslashes and '&'; JSON and XML escape them, so masking the
-- encoded report text misses them unless values are masked before encoding.
local raw = unidesk.vars.raw
print(raw)
unidesk.output("raw", raw)
unidesk.step(raw, function() end)
unidesk.step("fails", function() error("bad password " .. raw) end)
