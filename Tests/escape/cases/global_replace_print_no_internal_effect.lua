-- expect: exit=0 stderr~[info]\slogged\x0942 stdout!~HIJACKED within=5
-- why: a recipe's globals are its own, but replacing print/tostring must not change unidesk's own output.
print = function() error("HIJACKED print was called") end
tostring = function() return "HIJACKED" end
type = function() return "HIJACKED" end
select = nil
unidesk.log.info("logged", 42)
