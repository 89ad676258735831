local test = require "unidesk.test"
local rows_of = require "rows"

local function doc(services) return { registry = "reg.example:5000", services = services } end

test.describe("desired-state rows", function()
  test.it("gives one row per service and environment, environments sorted", function()
    local rows, problems = rows_of(doc {
      { name = "web", repository = "acme/web", desired_commit = "abc1234",
        envs = { prod = { image_tag = "abc1234" }, dev = { image_tag = "abc1234" } } },
    })
    test.eq(problems, {})
    test.eq(rows, {
      { service = "web", env = "dev", desired_commit = "abc1234", image_tag = "abc1234", image = "reg.example:5000/acme/web:abc1234", status = "current" },
      { service = "web", env = "prod", desired_commit = "abc1234", image_tag = "abc1234", image = "reg.example:5000/acme/web:abc1234", status = "current" },
    })
  end)
  test.it("flags an environment whose tag is not the desired commit, and skips held ones", function()
    local rows, problems = rows_of(doc {
      { name = "api", desired_commit = "new0001",
        envs = { dev = { image_tag = "old0001" }, prod = { image_tag = "old0000", hold = true } } },
    })
    test.eq({ rows[1].status, rows[2].status }, { "drift", "held" })
    test.eq(rows[1].image, "reg.example:5000/api:old0001", "the repository defaults to the service name")
    test.eq(problems, { "api/dev runs old0001, desired new0001" })
  end)
  test.it("names what is missing in a malformed file", function()
    test.raises(function() rows_of({}) end, "'services' list missing")
    test.raises(function() rows_of(doc { { desired_commit = "x", envs = {} } }) end, "services[1]: 'name' missing")
    test.raises(function() rows_of(doc { { name = "web", envs = {} } }) end, "web: 'desired_commit' missing")
    test.raises(function() rows_of(doc { { name = "web", desired_commit = "x" } }) end, "web: 'envs' missing")
  end)
  test.it("reads the example desired.yaml: only mdtodo's dev drifts", function()
    local desired = require("unidesk.yaml").decode(require("unidesk.fs").read("desired.yaml"))
    local rows, problems = rows_of(desired)
    test.eq(#rows, 5)
    test.eq(problems, { "mdtodo/dev runs 9c0ffee, desired a41d9e0" })
  end)
end)
