-- unidesk.pg: the connection object, tx() and the one-shot exec over the host's libpq calls.
local _, host = ...
local M = {}

local handles = setmetatable({}, { __mode = "k" }) -- connection object → host handle

local err_mt = { __tostring = function(e)
  local s = e.message
  if e.sqlstate then s = s .. " (SQLSTATE " .. e.sqlstate .. ")" end
  if e.file then s = s .. " in " .. e.file .. (e.line and (":" .. e.line) or "") end
  return s
end }

-- nil, err results get a readable tostring; everything else passes through.
local function outcome(r, err, ...)
  if r == nil and type(err) == "table" then return nil, setmetatable(err, err_mt) end
  return r, err, ...
end

local connection = {}
connection.__index = connection
connection.__name = "unidesk.pg.connection"
connection.__tostring = function(c)
  return "pg connection " .. c.user .. "@" .. c.server .. "/" .. c.database
end

function connection:exec(sql, params, options)
  return outcome(host["connection:exec"](handles[self], sql, params, options))
end

function connection:exec_many(sql, rows, options)
  return outcome(host["connection:exec_many"](handles[self], sql, rows, options))
end

function connection:query(sql, params, options)
  return outcome(host["connection:query"](handles[self], sql, params, options))
end

function connection:script(sql, options)
  return outcome(host["connection:script"](handles[self], sql, options))
end

-- For stdlib modules: statements the host runs at the end of the run unless withdrawn
-- (clean-up that must happen even when the deadline ends the run). Not for recipes.
function connection:_finally(key, statements)
  return host["connection:_finally"](handles[self], key, statements)
end

function connection:_finally_done(key)
  return host["connection:_finally_done"](handles[self], key)
end

function connection:close()
  return host["connection:close"](handles[self])
end

local pack, unpack = table.pack, table.unpack

--- fn(conn) inside BEGIN … COMMIT; ROLLBACK and re-raise when fn raises.
function connection:tx(fn)
  local h = handles[self]
  check("pg.connection:tx", h, fn)
  host["connection:_begin"](h)
  local results = pack(pcall(fn, self))
  if not results[1] then
    host["connection:_rollback"](h)
    error(results[2], 0)
  end
  local ok, err = host["connection:_commit"](h)
  if not ok then return nil, setmetatable(err, err_mt) end
  return unpack(results, 2, results.n)
end

function M.connect(dsn, options)
  local info = host.connect(dsn, options)
  local conn = setmetatable({ database = info.database, user = info.user, server = info.server }, connection)
  handles[conn] = info.handle
  return conn
end

--- Connect, run, close.
function M.exec(args)
  check("pg.exec", args)
  local conn = M.connect(args.dsn, { database = args.database, timeout = args.timeout })
  local results = pack(pcall(conn.exec, conn, args.sql, args.params,
    { role = args.role, read_only = args.read_only, timeout = args.timeout,
      plan_lock_timeout = args.plan_lock_timeout, plan_statement_timeout = args.plan_statement_timeout }))
  conn:close()
  if not results[1] then error(results[2], 0) end
  return unpack(results, 2, results.n)
end

return M
