-- unidesk.state: the host's key → JSON store, and lock(app, fn) over the store's lock (a file lock,
-- or a PostgreSQL advisory lock with --state-db).
local _, host = ...
local M = {}

M.get = host.get
M.set = host.set
M.delete = host.delete
M.keys = host.keys

local pack, unpack = table.pack, table.unpack

--- Runs fn() holding app's lock; a second run waits up to options.timeout, then fails.
function M.lock(app, fn, options)
  check("state.lock", app, fn, options)
  local handle = host._lock(app, options and options.timeout or 0)
  local results = pack(pcall(fn))
  host._unlock(handle)
  if not results[1] then error(results[2], 0) end
  return unpack(results, 2, results.n)
end

return M
