-- expect: exit=4 stderr~deadline stdout!~SURVIVED within=2
-- args: --timeout 1
-- why: pcall must re-raise a fired limit, or the outer loop would run forever.
while true do pcall(function() while true do end end) end
print("SURVIVED")
