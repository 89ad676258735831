local test = require "unidesk.test"
local state = require "unidesk.state"

local function world(opts)
  for _, k in ipairs(state.keys("")) do state.delete(k) end
  if opts.canonical then state.set("shop/canonical", { volume = "shop_data" }) end
  local log = {}
  test.fake("snapshot", {
    info = function() return opts.snapshot and { id = "snap-1" } or nil end,
    restore = function() log[#log + 1] = "restore" end,
    take = function(a)
      log[#log + 1] = "take"
      -- Under unidesk plan a snapshot is not taken: its id is unknown.
      if opts.planned then return { planned = true, unknown = true, app = a.app } end
      return { id = "snap-cold" }
    end,
  })
  test.fake("compose", {
    up = function(p)
      log[#log + 1] = "up " .. p.env.IMAGE
      if opts.planned then return { planned = true, unknown = true } end
      return { { service = "web", image = opts.runs or p.env.IMAGE } }
    end,
    stop = function() log[#log + 1] = "stop" end,
    down = function(p) log[#log + 1] = "down volumes=" .. tostring(p.volumes) end,
  })
  return test.load("quick"), log
end
local function cfg(check, base)
  return { app = "shop", project = { project = "shop", dir = "deploy" }, head = "reg/shop:v2", image_var = "IMAGE", check = check,
    base = base, volumes = { "shop_data" } }
end

test.describe("quick lane", function()
  test.it("no canonical and a base: the cold path deploys the base, keeps it as the canonical, tests the head", function()
    local quick, log = world { canonical = false, snapshot = false }
    local r = quick.run(cfg(function() end, "reg/shop:v1"))
    test.eq(r, { path = "cold", reason = "no warm canonical", passed = true, known_good = "snap-cold" })
    test.eq(log, { "up reg/shop:v1", "stop", "take", "up reg/shop:v2", "down volumes=false" })
    test.eq(state.get("shop/canonical"), { volumes = { "shop_data" }, base = "reg/shop:v1" })
  end)
  test.it("under unidesk plan the cold path is planned as a pass would run, the head's check not run", function()
    local quick, log = world { canonical = false, snapshot = false, planned = true }
    local r = quick.run(cfg(function() error("a plan has nothing to check", 0) end, "reg/shop:v1"))
    test.eq(r, { path = "cold", reason = "no warm canonical", planned = true })
    test.eq(log, { "up reg/shop:v1", "stop", "take", "up reg/shop:v2", "down volumes=false" })
  end)
  test.it("cold path, failing head: the base's snapshot is restored", function()
    local quick, log = world { canonical = false, snapshot = false }
    local r = quick.run(cfg(function() error("500", 0) end, "reg/shop:v1"))
    test.eq({ r.path, r.passed, r.error }, { "cold", false, "500" })
    test.eq(log, { "up reg/shop:v1", "stop", "take", "up reg/shop:v2", "stop", "restore", "down volumes=false" })
  end)
  test.it("no canonical and no base: says so, touches nothing", function()
    local quick, log = world { canonical = false, snapshot = true }
    test.eq(quick.run(cfg(function() end)), { path = "cold", reason = "no warm canonical" })
    test.eq(log, {})
  end)
  test.it("pass: undeploy, keep the volume, promote nothing", function()
    local quick, log = world { canonical = true, snapshot = true }
    local r = quick.run(cfg(function() end))
    test.eq(r, { path = "quick", passed = true, known_good = "snap-1" })
    test.eq(log, { "up reg/shop:v2", "down volumes=false" })
    test.eq(state.get("shop/last-good"), nil)
  end)
  test.it("fail: restore the known-good snapshot, then undeploy", function()
    local quick, log = world { canonical = true, snapshot = true }
    local r = quick.run(cfg(function() error("orders page returns 500", 0) end))
    test.eq(r.passed, false)
    test.eq(r.error, "orders page returns 500")
    test.eq(log, { "up reg/shop:v2", "stop", "restore", "down volumes=false" })
  end)
  test.it("a head that no container runs fails the lane, whatever the check says", function()
    local quick, log = world { canonical = true, snapshot = true, runs = "reg/shop:v1" }
    local r = quick.run(cfg(function() end))
    test.eq(r.passed, false)
    test.eq(r.error, "no container runs the head reg/shop:v2 (is IMAGE the compose variable of its image?)")
    test.eq(log, { "up reg/shop:v2", "stop", "restore", "down volumes=false" })
  end)
end)
