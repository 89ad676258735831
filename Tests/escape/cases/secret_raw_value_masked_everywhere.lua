-- expect: exit=1 stdout~<secret> stdout!~hunter2 nosecret=TOKEN within=5
-- args: --secret-env TOKEN --var raw=${TOKEN}
-- env: TOKEN=hunter2-raw-SECRET-7731
-- why: the script holds the secret's text as a plain string (here via --var); every output must still mask it.
local raw = unidesk.vars.raw
print(raw)
unidesk.log.warn("raw is", raw)
unidesk.output("raw", raw)
unidesk.step(raw, function() end)
unidesk.step("fails", function() error("bad password " .. raw) end)
