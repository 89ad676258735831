-- expect: exit=4 stderr~memory stdout!~SURVIVED within=10
-- args: --max-memory 64 --timeout 30
-- why: 1 GB passes string.rep's size check, so the allocator cap must stop it; pcall cannot catch that.
print(pcall(string.rep, "x", 1e9))
print("SURVIVED")
