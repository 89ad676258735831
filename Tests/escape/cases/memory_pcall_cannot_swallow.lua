-- expect: exit=4 stderr~memory stdout!~SURVIVED within=10
-- args: --max-memory 64 --timeout 30
-- why: retrying after a caught out-of-memory would let a script live at the cap forever.
for _ = 1, 100 do
  pcall(function() local t = {} for i = 1, 1e9 do t[i] = i end end)
end
print("SURVIVED")
