-- expect: exit=4 stderr~memory within=10
-- args: --max-memory 64 --timeout 30
-- why: a 2 GB fixed-size field makes string.pack grow one C buffer.
print(pcall(string.pack, "c2000000000", "x"))
