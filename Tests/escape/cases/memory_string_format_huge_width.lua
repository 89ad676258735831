-- expect: exit=1 stderr~invalid\sconversion within=5
-- args: --max-memory 64
-- why: a huge width/precision in a format spec must be rejected, not padded into memory.
print(#string.format("%099999999d", 1))
