local test = require "unidesk.test"
local state = require "unidesk.state"

test.describe("choosing the base", function()
  local base = test.load("base")
  test.it("an override wins", function()
    state.set("shop/last-green", { version = "v7" })
    test.eq({ base.choose("shop", { override = "v5", branch_tip = "v9" }) }, { "v5", "override" })
  end)
  test.it("then the last green run", function()
    test.eq({ base.choose("shop", { branch_tip = "v9" }) }, { "v7", "last green" })
  end)
  test.it("then the target branch's tip", function()
    state.delete("shop/last-green")
    test.eq({ base.choose("shop", { branch_tip = "v9" }) }, { "v9", "branch tip" })
  end)
  test.it("else the upgrade tier is skipped", function()
    test.eq({ base.choose("shop", {}) }, { nil, "no base: the upgrade tier is skipped" })
  end)
end)

test.describe("the two deploys", function()
  test.it("previous/ applies to the base only, and orphans go in an up after the head's", function()
    local calls = {}
    test.fake("compose", { up = function(p)
      calls[#calls + 1] = { files = p.files, image = p.env.DEMO_IMAGE, remove_orphans = p.remove_orphans or false }
      return {}
    end })
    local base = test.load("base")
    base.upgrade { project = "shop", dir = "deploy", files = { "deploy/compose.yaml" }, previous = "deploy/previous/compose.yaml",
      image_var = "DEMO_IMAGE", repo = "reg/shop", base = "v1", head = "v2" }
    test.eq(calls, {
      { files = { "deploy/compose.yaml", "deploy/previous/compose.yaml" }, image = "reg/shop:v1", remove_orphans = false },
      { files = { "deploy/compose.yaml" }, image = "reg/shop:v2", remove_orphans = false },
      { files = { "deploy/compose.yaml" }, image = "reg/shop:v2", remove_orphans = true },
    })
  end)
  test.it("a head that never converges leaves the base's services in place", function()
    local orphans_removed = false
    test.fake("compose", { up = function(p)
      if p.remove_orphans then orphans_removed = true end
      if p.env.DEMO_IMAGE == "reg/shop:bad" then error("web is unhealthy", 0) end
      return {}
    end })
    local base = test.load("base")
    test.raises(function()
      base.upgrade { project = "shop", dir = "deploy", files = { "deploy/compose.yaml" }, previous = "deploy/previous/compose.yaml",
        image_var = "DEMO_IMAGE", repo = "reg/shop", base = "v1", head = "bad" }
    end, "unhealthy")
    test.eq(orphans_removed, false)
  end)
end)
