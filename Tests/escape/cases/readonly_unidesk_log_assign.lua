-- expect: exit=1 stderr~read-only stdout!~ESCAPED within=5
-- why: nested tables of unidesk (log, vars) are frozen too.
unidesk.log.info = nil
print("ESCAPED: unidesk.log.info replaced")
