local test = require "unidesk.test"

-- Fakes of the engine, the snapshots and the health endpoint; state and alerts are real
-- (unidesk test gives every file a fresh state directory).
local function world(healthy_versions)
  local state = require "unidesk.state"
  for _, k in ipairs(state.keys("")) do state.delete(k) end   -- each test starts from nothing
  local log = {}
  local running = { image = "reg/demo:v1", labels = { ["org.opencontainers.image.version"] = "1.0.0" } }
  test.fake("compose", {
    inspect = function() return running end,
    stop = function() log[#log + 1] = "stop" end,
    up = function(p) log[#log + 1] = "up " .. table.concat(p.services, ",") end,
    recreate = function(p)
      local image = p.env.DEMO_IMAGE
      log[#log + 1] = "recreate " .. image
      local version = ({ ["reg/demo:v1"] = "1.0.0", ["reg/demo:v2"] = "2.0.0", ["reg/demo:broken"] = "0.9.0-broken" })[image]
      running = { image = image, digest = "sha256:" .. version, labels = { ["org.opencontainers.image.version"] = version } }
      return running
    end,
  })
  test.fake("registry", { head = function(ref)
    local published = { ["reg/demo:v1"] = true, ["reg/demo:v2"] = true, ["reg/demo:broken"] = true }
    return published[ref] and { exists = true, status = 200, digest = "sha256:" .. ref } or { exists = false, status = 404 }
  end })
  test.fake("snapshot", {
    take = function(a) log[#log + 1] = "snapshot " .. a.meta.version end,
    restore = function() log[#log + 1] = "restore" end,
  })
  test.fake("http", { wait = function(_, o)
    local version = running.labels["org.opencontainers.image.version"]
    if healthy_versions[version] and o["until"]({ status = 200, json = function() return { deploy = { version = version } } end }) then
      return true
    end
    error("timeout: not healthy: " .. version, 0)
  end })
  return test.load("upgrade"), log
end

local cfg = { app = "demo", project = "demo", dir = "deploy", service = "web", image_var = "DEMO_IMAGE",
  repo = "reg/demo", health = "http://h/health", volumes = { "demo_data" }, restart = { "worker" } }

test.describe("health-gated upgrade", function()
  test.it("commits the new last-good when the new version is healthy", function()
    local upgrade, log = world({ ["2.0.0"] = true })
    cfg.target = "v2"
    local r = upgrade.run(cfg)
    test.eq(r.outcome, "upgraded")
    test.eq(log, { "stop", "snapshot 1.0.0", "recreate reg/demo:v2", "up worker" })
    test.eq(require("unidesk.state").get("demo/last-good").tag, "v2")
  end)
  test.it("holds an upgrade to a tag that was never published, touching nothing", function()
    local upgrade, log = world({ ["2.0.0"] = true })
    cfg.target = "v3"
    local r = upgrade.run(cfg)
    test.eq(r.outcome, "held")
    test.eq(log, {})
    test.eq(require("unidesk.alert").list("demo")[1].kind, "held")
  end)
  test.it("restores the snapshot and the prior version when it is not", function()
    local upgrade, log = world({ ["1.0.0"] = true, ["2.0.0"] = true })
    cfg.target = "broken"
    local r = upgrade.run(cfg)
    test.eq(r.outcome, "rolled_back")
    test.eq(log, { "stop", "snapshot 1.0.0", "recreate reg/demo:broken", "stop", "restore", "recreate reg/demo:v1", "up worker" })
    test.eq(require("unidesk.alert").list("demo")[1].kind, "rolled_back")
  end)
  test.it("a good upgrade after a rollback resolves the app's alerts", function()
    local upgrade = world({ ["1.0.0"] = true, ["2.0.0"] = true })
    cfg.target = "broken"
    upgrade.run(cfg)
    test.eq(require("unidesk.alert").list("demo")[1].resolved_at, nil)
    cfg.target = "v2"
    test.eq(upgrade.run(cfg).outcome, "upgraded")
    local a = require("unidesk.alert").list("demo")
    test.eq(#a, 1)
    test.eq(a[1].kind, "rolled_back")
    test.truthy(a[1].resolved_at, "resolved by the good upgrade")
  end)
  test.it("says so loudly when even the rollback fails", function()
    local upgrade = world({})
    cfg.target = "broken"
    test.raises(function() upgrade.run(cfg) end, "failed and so did the rollback")
    test.eq(require("unidesk.alert").list("demo")[1].kind, "rollback_failed")
  end)
  test.it("under plan --offline the running version is unknown: the upgrade is planned, nothing health-gated", function()
    local state = require "unidesk.state"
    for _, k in ipairs(state.keys("")) do state.delete(k) end
    local log, unknown = {}, { planned = true, unknown = true }
    test.fake("compose", {
      inspect = function() return unknown end,
      stop = function() log[#log + 1] = "stop" end,
      up = function(p) log[#log + 1] = "up " .. table.concat(p.services, ","); return unknown end,
      recreate = function(p)
        log[#log + 1] = "recreate " .. p.env.DEMO_IMAGE
        return { planned = true, unknown = true, project = p.project, service = p.service, image = p.env.DEMO_IMAGE, labels = {} }
      end,
    })
    test.fake("registry", { head = function(ref)
    local published = { ["reg/demo:v1"] = true, ["reg/demo:v2"] = true, ["reg/demo:broken"] = true }
    return published[ref] and { exists = true, status = 200, digest = "sha256:" .. ref } or { exists = false, status = 404 }
  end })
  test.fake("snapshot", { take = function() log[#log + 1] = "snapshot" end })
    test.fake("http", { wait = function() error("a plan has nothing to health-gate", 0) end })
    local r = test.load("upgrade").run(setmetatable({ target = "v2" }, { __index = cfg }))
    test.eq(r.outcome, "planned")
    test.eq(log, { "stop", "snapshot", "recreate reg/demo:v2", "up worker" })
  end)
end)

test.describe("the migration gate in front of the upgrade", function()
  local function gate(passes)
    return test.fake("migrate", { gate = function(o)
      if passes then return { ok = true, applied = 3, migrations = 3 } end
      error(setmetatable({ kind = "migration_failed", message = "migration gate: 002_users_plan.up.sql line 3: SQLSTATE 42501 must be owner of table users" },
        { __tostring = function(e) return e.message end }), 0)
    end })
  end
  test.it("holds the upgrade before anything is stopped when a migration fails as the deploy role", function()
    local fake = gate(false)
    local upgrade, log = world({ ["2.0.0"] = true })
    local r = upgrade.run(setmetatable({ target = "v2", migrations = { dir = "migrations" } }, { __index = cfg }))
    test.eq(r.outcome, "held")
    test.truthy(r.reason:find("42501", 1, true), "the reason names the SQLSTATE")
    test.eq(log, {}, "nothing stopped, snapshotted or deployed")
    test.eq(fake.calls[1].args[1].dir, "migrations")
    test.eq(require("unidesk.state").get("demo/last-good"), nil, "last-good untouched")
    local a = require("unidesk.alert").list("demo")[1]
    test.eq({ a.kind, a.attempted, a.recovered }, { "held", "v2", true })
  end)
  test.it("goes on with the upgrade when the gate passes", function()
    gate(true)
    local upgrade, log = world({ ["2.0.0"] = true })
    local r = upgrade.run(setmetatable({ target = "v2", migrations = { dir = "migrations" } }, { __index = cfg }))
    test.eq(r.outcome, "upgraded")
    test.eq(log, { "stop", "snapshot 1.0.0", "recreate reg/demo:v2", "up worker" })
  end)
end)
