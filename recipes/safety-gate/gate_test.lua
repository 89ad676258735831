local test = require "unidesk.test"
local gate = require "gate"

test.describe("safety gate", function()
  test.it("lets a patch of both parts through", function()
    test.eq(gate.decide("1.4.2+15.4", "1.4.3+15.5", "").decision, "proceed")
  end)
  test.it("holds on a major bump of the upstream part", function()
    local r = gate.decide("1.4.2+15.4", "1.5.0+16.1", "")
    test.eq(r.decision, "hold")
    test.eq(r.reasons, { "major upgrade of the upstream version: 1.4.2+15.4 → 1.5.0+16.1" })
  end)
  test.it("holds on a major bump of the recipe part", function()
    test.eq(gate.decide("1.9.0+15.4", "2.0.0+15.4", "").reasons, { "major upgrade of the recipe: 1.9.0+15.4 → 2.0.0+15.4" })
  end)
  test.it("holds on release notes that ask for a manual migration", function()
    local notes = "## 1.4.3\n- faster startup\n- Requires a MANUAL MIGRATION of the sessions table\n"
    test.eq(gate.decide("1.4.2+15.4", "1.4.3+15.4", notes).reasons,
      { "release notes: Requires a MANUAL MIGRATION of the sessions table" })
  end)
  test.it("holds on a downgrade", function()
    test.eq(gate.decide("1.4.2", "1.4.1", "").decision, "hold")
  end)
  test.it("refuses something that is not a version", function()
    test.raises(function() gate.decide("1.4.2", "latest", "") end, "'latest' is not a version")
  end)
end)
