local test = require "unidesk.test"

local function world(opts)
  local log = {}
  local running = { id = "c0", digest = "sha256:old", labels = { ["org.opencontainers.image.revision"] = "old" } }
  test.fake("registry", { head = function(ref)
    if opts.published then return { exists = true, digest = "sha256:new", ref = ref } end
    return { exists = false, status = 404, ref = ref }
  end })
  test.fake("compose", {
    inspect = function() return running end,
    recreate = function(p)
      local image = p.env.DEMO_IMAGE
      log[#log + 1] = image
      if image:find("sha256:new", 1, true) then
        if opts.unhealthy then error({ kind = "unhealthy", message = "web is unhealthy" }) end
        running = { id = "c1", digest = "sha256:new", labels = { ["org.opencontainers.image.revision"] = opts.label or "abc123" } }
      else
        running = { id = "c2", digest = "sha256:old", labels = { ["org.opencontainers.image.revision"] = "old" } }
      end
      return running
    end,
  })
  test.fake("http", { wait = function(_, o)
    if o["until"]({ status = 200, json = function() return { deploy = { commit = running.labels["org.opencontainers.image.revision"] } } end }) then return true end
    error("timeout", 0)
  end })
  return test.load("consumer"), log
end
local cfg = { project = "demo", dir = "deploy", service = "web", image_var = "DEMO_IMAGE", repo = "reg/demo", commit = "abc123", health = "http://h" }

test.describe("compose consumer", function()
  test.it("deploys the published digest and verifies it", function()
    local consumer, log = world({ published = true })
    test.eq(consumer.run(cfg).digest, "sha256:new")
    test.eq(log, { "reg/demo@sha256:new" })
  end)
  test.it("refuses a commit that was never published, touching nothing", function()
    local consumer, log = world({ published = false })
    test.raises(function() consumer.run(cfg) end, "no artifact for abc123")
    test.eq(log, {})
  end)
  test.it("puts the previous digest back when the label is wrong", function()
    local consumer, log = world({ published = true, label = "someone-else" })
    test.raises(function() consumer.run(cfg) end, "revision label is someone-else")
    test.eq(log, { "reg/demo@sha256:new", "reg/demo@sha256:old" })
  end)
  test.it("puts the previous digest back when the new one is unhealthy", function()
    local consumer, log = world({ published = true, unhealthy = true })
    test.raises(function() consumer.run(cfg) end, "failed (web is unhealthy); the previous digest runs again")
    test.eq(log, { "reg/demo@sha256:new", "reg/demo@sha256:old" })
  end)
  test.it("under plan --offline: the artifact is unknown, nothing is refused or verified", function()
    local log = {}
    test.fake("registry", { head = function(ref) return { planned = true, unknown = true, ref = ref } end })
    test.fake("compose", {
      inspect = function() return { planned = true, unknown = true } end,
      recreate = function(p)
        log[#log + 1] = p.env.DEMO_IMAGE
        return { planned = true, unknown = true, project = p.project, service = p.service, labels = {} }
      end,
    })
    test.fake("http", { wait = function() error("a plan has nothing to verify", 0) end })
    local r = test.load("consumer").run(cfg)
    test.eq(r.outcome, "planned")
    test.eq(r.digest, nil)
    test.eq(log, { "reg/demo:abc123" })
  end)
end)
