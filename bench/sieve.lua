-- Sieve of Eratosthenes, repeated: array-part table stores/loads and integer loops.
local function sieve(n)
  local composite = {}
  for i = 1, n do composite[i] = false end
  local count = 0
  for i = 2, n do
    if not composite[i] then
      count = count + 1
      for j = i * i, n, i do composite[j] = true end
    end
  end
  return count
end

local N, ROUNDS = 1000000, 30
local total = 0
for r = 1, ROUNDS do total = total + sieve(N) end
print("sieve", N, ROUNDS, total)
