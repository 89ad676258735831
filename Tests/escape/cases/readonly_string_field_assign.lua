-- expect: exit=1 stderr~read-only within=5
-- why: replacing a library function would change it for the stdlib and every later caller.
string.len = nil
print("ESCAPED: string.len replaced")
