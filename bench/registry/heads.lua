-- 200 HEADs of distinct tags with registry.head_many; prints how many exist with the
-- expected digest (the benchmark checks it says 200 before timing).
local registry = require "unidesk.registry"
local reg, repo, n, want = unidesk.vars.registry, unidesk.vars.repo, tonumber(unidesk.vars.count), unidesk.vars.digest
local refs = {}
for i = 1, n do refs[i] = string.format("%s/%s:t%03d", reg, repo, i) end
local ok = 0
for _, r in ipairs(registry.head_many(refs, { concurrency = tonumber(unidesk.vars.concurrency or "16") })) do
  if r.exists and r.digest == want then ok = ok + 1 end
end
print(ok)
