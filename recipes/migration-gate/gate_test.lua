local test = require "unidesk.test"

-- A fake of unidesk.pg that records what the gate runs, as which role, and fails the
-- statement scripts named in `failing` (file name → error) the way the server would.
local function server(failing)
  local log = { scripts = {}, sql = {}, connects = 0 }
  local function conn()
    return {
      query = function(_, sql, params)
        if sql:find("quote_ident", 1, true) then return { { q = params[1] } } end
        return { { x = 1 } }   -- the roles exist
      end,
      exec = function(_, sql) log.sql[#log.sql + 1] = sql; return true end,
      script = function(_, _, o)
        log.scripts[#log.scripts + 1] = o.name .. " as " .. o.role
        local e = failing and failing[o.name]
        if e then return nil, e end
        return true
      end,
      close = function() end, _finally = function() end, _finally_done = function() end,
    }
  end
  test.fake("pg", { connect = function() log.connects = log.connects + 1; return conn() end })
  return test.load("unidesk.migrate"), log
end

local opts = { admin_dsn = "postgresql://admin@db/postgres", owner_role = "app_owner", app_role = "app",
  baseline = "fixtures/baseline.sql" }
local function with(dir) local o = {}; for k, v in pairs(opts) do o[k] = v end; o.dir = dir; return o end

test.describe("migrate.gate", function()
  test.it("runs the baseline as the owner, then each migration as the deploy role, down and up again", function()
    local migrate, log = server()
    local report = migrate.gate(with("fixtures/clean/migrations"))
    test.eq({ report.ok, report.applied }, { true, 3 })
    test.eq(log.scripts, {
      "fixtures/baseline.sql as app_owner",
      "001_create_orders.up.sql as app", "001_create_orders.down.sql as app", "001_create_orders.up.sql as app",
      "002_orders_status.up.sql as app", "002_orders_status.down.sql as app", "002_orders_status.up.sql as app",
      "003_orders_user_index.up.sql as app", "003_orders_user_index.down.sql as app", "003_orders_user_index.up.sql as app",
    })
    test.truthy(log.sql[#log.sql]:find("^DROP DATABASE IF EXISTS unidesk_smoke_"), "the scratch database is dropped at the end")
  end)
  test.it("raises migration_failed naming file, line and SQLSTATE, and still drops the scratch database", function()
    local migrate, log = server { ["002_orders_status.up.sql"] = { sqlstate = "42501", message = "must be owner of table orders", line = 3 } }
    local err = test.raises(function() migrate.gate(with("fixtures/clean/migrations")) end,
      "migration gate: 002_orders_status.up.sql line 3: SQLSTATE 42501 must be owner of table orders")
    test.eq(err.kind, "migration_failed")
    test.eq(err.report.failure.role, "app")
    test.eq(#log.scripts, 5, "stops at the failing file")
    test.truthy(log.sql[#log.sql]:find("^DROP DATABASE IF EXISTS unidesk_smoke_"), "dropped after a failure too")
  end)
  test.it("refuses two migrations in one version slot without connecting to the server", function()
    local migrate, log = server()
    local err = test.raises(function() migrate.gate(with("fixtures/duplicate-slot/migrations")) end, "version 2 has 2 migrations")
    test.eq(err.kind, "migration_failed")
    test.eq(log.connects, 0)
  end)
end)
