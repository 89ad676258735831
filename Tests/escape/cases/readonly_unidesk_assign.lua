-- expect: exit=1 stderr~read-only stdout!~ESCAPED within=5
-- why: the unidesk table is shared with the stdlib; a script must not add or replace fields.
unidesk.x = 1
print("ESCAPED: unidesk.x assigned")
