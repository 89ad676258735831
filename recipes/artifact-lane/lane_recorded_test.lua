-- The lane against recorded answers of the real local stack (registry HEADs, health
-- endpoints): no infrastructure needed to run it. How to re-record: README.md.
local test = require "unidesk.test"

-- What the recording asked the stack about: unidesk/demo v2 published under its commit,
-- v1 running in "dev" on port 18099, nothing listening for "prod" (port 9), and a commit
-- that was never published.
local V1 = "56c65b5adc66b06d1ae1fab29c15a3f338b1c893"
local V2 = "ad8b789d57e1c169d2253dd59b10d599f13d4d68"
local desired = { services = {
  { name = "web", image = "127.0.0.1:5000/unidesk/demo", commit = V2, envs = {
      dev = { health = "http://127.0.0.1:18099/health" },
      prod = { health = "http://127.0.0.1:9/health", blocked = "change freeze" } } },
  { name = "worker", image = "127.0.0.1:5000/unidesk/demo", commit = "0000000000000000000000000000000000000000",
    envs = { dev = { health = "http://127.0.0.1:18099/health" } } },
} }

-- The lane runs once (its calls are the recording); the tests look at its rows.
local cached
local function lane_rows()
  if not cached then
    test.replay("registry", "fixtures/registry.recording.json")
    test.replay("http", "fixtures/http.recording.json")
    cached = test.load("lane").rows(desired)
  end
  return cached
end

test.describe("artifact lane, recorded against the local stack", function()
  test.it("the published commit has the registry's digest; dev runs v1: deploy to dev", function()
    local rows = lane_rows()
    test.eq(rows[1].artifactExists, true)
    test.eq(rows[1].digest, "sha256:9f87902724a220564759fc7c1505ae8e3e2493e5b00da04b5e66bd0edf3371b3")
    test.eq(rows[1].runtimeCommit, { dev = V1 })
    test.eq(rows[1].devStatus, "behind (runs 56c65b5adc66)")
    test.eq(rows[1].recommendedAction, "deploy to dev")
  end)
  test.it("a dead endpoint is reported, not raised", function()
    local rows = lane_rows()
    test.eq(rows[1].prodStatus, "unreachable (network)")
    test.eq(rows[1].blockedScopes, { "prod: change freeze" })
  end)
  test.it("an unpublished commit: publish first", function()
    local rows = lane_rows()
    test.eq(rows[2].artifactExists, false)
    test.eq(rows[2].recommendedAction, "publish 000000000000 (no artifact)")
  end)
end)
