-- unidesk.migrate: the migration gate. Applies a directory of NNN_name.up.sql files to a
-- scratch database as the role production deploys with, against the real server, so a
-- migration that only works for the table owner (42501) fails here and not in production.
local pg = require "unidesk.pg"
local fs = require "unidesk.fs"
local M = {}

-- The advisory lock (two int4 keys) that serialises smokes on one server.
M.lock_key = "1970170213, 1836346989"

--- Reads the directory: migrations in version order, and what is wrong with the set.
function M.scan(dir, options)
  options = options or {}
  local ups, downs, problems = {}, {}, {}
  local function problem(kind, message, extra)
    local p = extra or {}
    p.kind, p.message = kind, message
    problems[#problems + 1] = p
  end
  for _, name in ipairs(fs.list(dir)) do
    local num, label, direction = name:match("^(%d+)_([%w_%-%.]-)%.(%a+)%.sql$")
    if num and (direction == "up" or direction == "down") then
      local v = tonumber(num)
      local set = direction == "up" and ups or downs
      set[v] = set[v] or {}
      table.insert(set[v], { version = v, name = label, file = name })
    elseif name:match("%.sql$") then
      problem("unrecognized_file", name .. ": not NNN_name.up.sql or NNN_name.down.sql; it is not applied", { file = name })
    end
  end
  local versions = {}
  for v in pairs(ups) do versions[#versions + 1] = v end
  table.sort(versions)
  local migrations = {}
  for _, v in ipairs(versions) do
    local slot = ups[v]
    if #slot > 1 then
      local files = {}
      for i, m in ipairs(slot) do files[i] = m.file end
      table.sort(files)
      problem("duplicate_version", string.format("version %d has %d migrations (%s): two branches took the same slot; renumber one",
        v, #slot, table.concat(files, ", ")), { version = v, files = files })
    end
    local m = slot[1]
    local down = downs[v]
    if down then
      for _, d in ipairs(down) do
        if d.name == m.name then m.down = d.file end
      end
    end
    migrations[#migrations + 1] = m
  end
  for v, d in pairs(downs) do
    if not ups[v] then problem("orphan_down", d[1].file .. ": a down migration without its up", { version = v, file = d[1].file }) end
  end
  if not options.allow_gaps then
    for i = 2, #versions do
      if versions[i] > versions[i - 1] + 1 then
        problem("gap", string.format("versions jump from %d to %d: a migration is missing (allow_gaps=true if that is intended)",
          versions[i - 1], versions[i]), { after = versions[i - 1], before = versions[i] })
      end
    end
  end
  table.sort(problems, function(a, b) return a.message < b.message end)
  return migrations, problems
end

--- Compares the files with what production says it applied: {version=, name=} rows.
local function compare_applied(migrations, applied, problem)
  local by_version = {}
  for _, m in ipairs(migrations) do by_version[m.version] = m end
  for _, row in ipairs(applied) do
    local v = math.tointeger(tonumber(row.version))
    local m = v and by_version[v]
    if not m then
      problem("applied_missing", string.format("version %s (%s) is applied in production but has no file here", tostring(row.version), tostring(row.name)),
        { version = row.version })
    elseif row.name ~= nil and tostring(row.name) ~= m.name then
      problem("name_mismatch", string.format("version %d is '%s' in production but '%s' here: the same slot holds another migration",
        v, tostring(row.name), m.file), { version = v, file = m.file, applied_name = row.name })
    end
  end
end

local function read_applied(spec)
  if spec.dsn == nil then return spec end
  local conn = pg.connect(spec.dsn)
  local table_name = spec.table or "schema_migrations"
  local quoted = {}
  for part in table_name:gmatch("[^%.]+") do
    local q = assert(conn:query("SELECT quote_ident($1) AS q", { part }))
    -- plan --offline sends nothing: what production applied is unknown, so nothing to compare.
    if q.unknown then conn:close(); return q end
    quoted[#quoted + 1] = q[1].q
  end
  local rows, err = conn:query("SELECT version, name FROM " .. table.concat(quoted, ".") .. " ORDER BY version")
  conn:close()
  if not rows then error(setmetatable({ kind = "applied", message = "reading applied migrations from " .. table_name .. ": " .. tostring(err) },
    { __tostring = function(e) return e.message end }), 0) end
  return rows
end

local function failure(err, m, phase, role)
  return {
    file = err.file or (m and m.file), version = m and m.version, phase = phase, role = role,
    sqlstate = err.sqlstate, message = err.message, detail = err.detail, hint = err.hint,
    statement = err.statement, line = err.line, kind = err.kind,
  }
end

local scratch_smoke

--- Runs the migrations on a scratch database; returns the report (see docs).
function M.smoke(opts)
  check("migrate.smoke", opts)
  local report = { ok = true, dir = opts.dir, problems = {}, applied = 0 }
  local migrations, problems = M.scan(opts.dir, { allow_gaps = opts.allow_gaps })
  report.problems, report.migrations = problems, #migrations
  local function problem(kind, message, extra)
    local p = extra or {}
    p.kind, p.message = kind, message
    problems[#problems + 1] = p
  end
  if opts.applied then compare_applied(migrations, read_applied(opts.applied), problem) end
  if #problems > 0 then report.ok = false end
  for _, p in ipairs(problems) do
    if p.kind == "duplicate_version" or p.kind == "applied_missing" then
      report.skipped = "the set of files is inconsistent; nothing was run"
      return report
    end
  end
  -- Every file's text, read before the mode decides anything: a saved plan digests the
  -- files a recipe reads, so `unidesk apply` refuses when a migration was edited since.
  for _, m in ipairs(migrations) do
    m.sql = fs.read(opts.dir .. "/" .. m.file)
    if m.down then m.down_sql = fs.read(opts.dir .. "/" .. m.down) end
  end
  local baseline_sql = type(opts.baseline) == "string" and fs.read(opts.baseline) or nil
  if unidesk.mode == "plan" then
    report.planned = true
    report.skipped = "plan mode: the files were checked; the scratch-database smoke runs with `unidesk run`"
    return report
  end

  -- The smoke's reads and writes are a scratch database's, which it creates and drops: a
  -- plan skips them (above), so a saved plan's apply does not compare them either.
  return unidesk.volatile(scratch_smoke, opts, migrations, report, baseline_sql)
end

--- The part of smoke that touches the server: a scratch database, created and dropped.
scratch_smoke = function(opts, migrations, report, baseline_sql)
  local admin = pg.connect(opts.admin_dsn)
  -- Roles are global to the server, and a smoke creates the two roles when they are missing
  -- and drops them after: two smokes at once on one server (two CI jobs) would drop each
  -- other's. One smoke at a time per server, then; the lock goes with the admin session.
  assert(admin:query("SELECT pg_advisory_lock(" .. M.lock_key .. ") IS NULL AS waited"))
  local function quote(name) return assert(admin:query("SELECT quote_ident($1) AS q", { name }))[1].q end
  local owner, app = quote(opts.owner_role), quote(opts.app_role)
  local database = string.format("unidesk_smoke_%x%06x", math.random(0, 0x7fffffff), math.random(0, 0xffffff))
  report.database = database
  local created_roles = {}
  local conn
  -- Registered before anything exists, so even a run that its deadline ends (when no
  -- Lua code can run any more) drops what the smoke created.
  local function drops()
    local list = { "DROP DATABASE IF EXISTS " .. database .. " WITH (FORCE)" }
    for _, r in ipairs(created_roles) do list[#list + 1] = "DROP ROLE IF EXISTS " .. r end
    return list
  end
  admin:_finally(database, drops())

  local function run()
    for _, r in ipairs { { opts.owner_role, owner }, { opts.app_role, app } } do
      local exists = assert(admin:query("SELECT 1 AS x FROM pg_roles WHERE rolname = $1", { r[1] }))
      if #exists == 0 then
        created_roles[#created_roles + 1] = r[2]
        admin:_finally(database, drops())
        assert(admin:exec("CREATE ROLE " .. r[2] .. " NOLOGIN"))
      end
    end
    assert(admin:exec("CREATE DATABASE " .. database .. " OWNER " .. owner))
    conn = pg.connect(opts.admin_dsn, { database = database })
    -- Production's split: the owner owns the database and its schema; the app role
    -- deploys, and may create its own objects but owns none of the owner's.
    assert(conn:exec("GRANT CONNECT, TEMPORARY ON DATABASE " .. database .. " TO " .. app))
    assert(conn:exec("GRANT USAGE, CREATE ON SCHEMA public TO " .. app, nil, { role = opts.owner_role }))

    local baseline_version = -1
    if type(opts.baseline) == "string" then
      local ok, err = conn:script(baseline_sql, { name = opts.baseline, role = opts.owner_role })
      if not ok then report.failure = failure(err, nil, "baseline", opts.owner_role); return end
    elseif type(opts.baseline) == "number" then
      baseline_version = opts.baseline
    end
    for _, m in ipairs(migrations) do
      local role = m.version <= baseline_version and opts.owner_role or opts.app_role
      local up = m.sql
      local ok, err = conn:script(up, { name = m.file, role = role })
      if not ok then report.failure = failure(err, m, "up", role); return end
      if m.down and opts.down ~= false and m.version > baseline_version then
        ok, err = conn:script(m.down_sql, { name = m.down, role = role })
        if not ok then report.failure = failure(err, m, "down", role); return end
        ok, err = conn:script(up, { name = m.file, role = role })
        if not ok then report.failure = failure(err, m, "up after down", role); return end
      end
      report.applied = report.applied + 1
    end
  end

  local ok, err = pcall(run)
  -- The scratch database and the roles this run created go, whatever happened.
  if conn then conn:close() end
  local cleanup = {}
  for _, sql in ipairs(drops()) do
    local d, e = admin:exec(sql)
    if not d then cleanup[#cleanup + 1] = tostring(e) end
  end
  admin:_finally_done(database)
  admin:close()
  if #cleanup > 0 then report.cleanup_errors = cleanup end
  if not ok then error(err, 0) end
  if report.failure then report.ok = false end
  return report
end

--- The report as lines a person reads in a CI log.
function M.format(report)
  local out = {}
  local function add(s) out[#out + 1] = s end
  local f = report.failure
  if report.planned and report.ok then
    add(string.format("migration files checked: %d migrations, no problems", report.migrations))
  elseif report.ok then
    add(string.format("migration smoke passed: %d of %d migrations applied as the deploy role on a scratch database",
      report.applied, report.migrations))
  elseif f then
    add(string.format("migration smoke FAILED at %s (%s, as role %s)%s", f.file or "?", f.phase, f.role or "?",
      f.line and (" line " .. f.line) or ""))
    add("  " .. (f.sqlstate and ("SQLSTATE " .. f.sqlstate .. ": ") or "") .. tostring(f.message))
    if f.detail then add("  detail: " .. f.detail) end
    if f.hint then add("  hint: " .. f.hint) end
    if f.statement then add("  statement: " .. f.statement:gsub("%s+", " "):sub(1, 200)) end
    if f.sqlstate == "42501" then
      add("  the deploy role lacks a privilege the owner has: production would fail the same way")
    end
  else
    add("migration smoke FAILED: the migration files are inconsistent")
  end
  for _, p in ipairs(report.problems or {}) do add("  problem (" .. p.kind .. "): " .. p.message) end
  if report.skipped then add("  " .. report.skipped) end
  for _, e in ipairs(report.cleanup_errors or {}) do add("  cleanup failed: " .. e) end
  return table.concat(out, "\n")
end

--- The gate as a deploy's first step: runs smoke, prints its report, adds it to the run's
--- outputs (migration_gate) and raises kind = "migration_failed" (with the report) when it
--- did not pass, before the deploy touched anything. Returns the report when it passed.
function M.gate(opts)
  check("migrate.gate", opts)
  local report = M.smoke(opts)
  print(M.format(report))
  unidesk.output("migration_gate", {
    ok = report.ok, applied = report.applied, migrations = report.migrations,
    failure = report.failure or unidesk.null, problems = report.problems, skipped = report.skipped,
  })
  if report.ok then return report end
  local f = report.failure
  local message = f and string.format("migration gate: %s%s: %s%s", f.file or "baseline",
      f.line and (" line " .. f.line) or "", f.sqlstate and ("SQLSTATE " .. f.sqlstate .. " ") or "", f.message)
    or ("migration gate: the migration files are inconsistent: " .. report.problems[1].message)
  error(setmetatable({ kind = "migration_failed", message = message, report = report },
    { __tostring = function(e) return e.message end }), 0)
end

--- The gate's options from a deploy recipe's vars: migrations (the directory), baseline,
--- owner_role, app_role, and the admin DSN from the secret env MIGRATE_ADMIN_DSN; nil when
--- vars.migrations is not set (the recipe deploys without a gate).
function M.from_vars(vars)
  check("migrate.from_vars", vars)
  if not vars.migrations then return nil end
  return { dir = vars.migrations, baseline = vars.baseline, admin_dsn = unidesk.env("MIGRATE_ADMIN_DSN"),
    owner_role = vars.owner_role or "app_owner", app_role = vars.app_role or "app" }
end

return M
