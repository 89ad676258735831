local test = require "unidesk.test"

local desired = { services = {
  { name = "web", image = "reg/shop/web", commit = "aaaa1111", envs = {
      dev = { health = "http://dev/health" }, prod = { health = "http://prod/health", blocked = "change freeze" } } },
  { name = "api", image = "reg/shop/api", commit = "bbbb2222", envs = { dev = { health = "http://dev-api/health" } } },
} }

local function fakes(published, running)
  test.fake("registry", { head_many = function(refs)
    local out = {}
    for i, ref in ipairs(refs) do
      out[i] = published[ref] and { exists = true, digest = published[ref], ref = ref } or { exists = false, status = 404, ref = ref }
    end
    return out
  end })
  test.fake("http", { get = function(url)
    local commit = running[url]
    if commit == nil then error({ kind = "network", message = "connection refused" }) end
    return { status = 200, json = function() return { deploy = { commit = commit } } end }
  end })
  return test.load("lane")
end

test.describe("artifact lane", function()
  test.it("a missing artifact comes first", function()
    local lane = fakes({}, { ["http://dev/health"] = "aaaa1111", ["http://prod/health"] = "aaaa1111" })
    local rows = lane.rows(desired)
    test.eq(rows[1].artifactExists, false)
    test.eq(rows[1].recommendedAction, "publish aaaa1111 (no artifact)")
  end)
  test.it("dev behind: deploy to dev; a dead endpoint says so", function()
    local lane = fakes({ ["reg/shop/web:aaaa1111"] = "sha256:w", ["reg/shop/api:bbbb2222"] = "sha256:a" },
      { ["http://dev/health"] = "0000old", ["http://prod/health"] = "0000old" })
    local rows = lane.rows(desired)
    test.eq(rows[1].devStatus, "behind (runs 0000old)")
    test.eq(rows[1].recommendedAction, "deploy to dev")
    test.eq(rows[2].devStatus, "unreachable (network)")
    test.eq(rows[2].prodStatus, "not deployed here")
  end)
  test.it("under plan --offline every read is unknown: the rows say so instead of crashing", function()
    local unknown = { planned = true, unknown = true }
    test.fake("registry", { head_many = function(refs)
      local out = {}
      for i, ref in ipairs(refs) do out[i] = { planned = true, unknown = true, ref = ref } end
      return out
    end })
    test.fake("http", { get = function() return unknown end })
    local rows = test.load("lane").rows(desired)
    test.eq(rows[1].devStatus, "unknown (plan --offline)")
    test.eq(rows[1].artifactExists, nil, "not asked: neither yes nor no")
    test.eq(rows[1].recommendedAction, "check the registry (unknown: plan --offline asked no registry)")
  end)
  test.it("dev current, prod blocked: wait, with the reason", function()
    local lane = fakes({ ["reg/shop/web:aaaa1111"] = "sha256:w", ["reg/shop/api:bbbb2222"] = "sha256:a" },
      { ["http://dev/health"] = "aaaa1111", ["http://prod/health"] = "0000old", ["http://dev-api/health"] = "bbbb2222" })
    local rows = lane.rows(desired)
    test.eq(rows[1].recommendedAction, "wait: prod: change freeze")
    test.eq(rows[1].blockedScopes, { "prod: change freeze" })
    test.eq(rows[2].recommendedAction, "none")
    test.eq(rows[2].digest, "sha256:a")
  end)
end)
