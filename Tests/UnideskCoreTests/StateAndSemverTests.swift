import Foundation
import Testing
@testable import UnideskCore
import UnideskData

/// unidesk.semver (stdlib Lua) and unidesk.state (host-backed) as recipes use them.
@Suite struct StateAndSemverTests {
    func outputs(_ r: RunReport) -> [String: DataValue] { Dictionary(uniqueKeysWithValues: r.outputs) }

    @Test func semverOrdersRecipeThenUpstreamAndNamesTheChange() throws {
        let t = try TempRecipe(["recipe.lua": """
            local semver = require "unidesk.semver"
            unidesk.output("sorted", semver.sort { "1.10.0", "1.2.0+15.4", "1.2.0-rc.1", "1.2.0+16.1", "1.2.0+15.10", "v1.9.9" })
            local c = semver.change("1.2.0+15.4", "1.2.1+16.0")
            unidesk.output("upstream_major", { c.recipe, c.upstream, tostring(c.major) })
            local r = semver.change("1.9.3+15.4", "2.0.0+15.4")
            unidesk.output("recipe_major", { r.recipe, r.upstream, tostring(r.major) })
            local d = semver.change("2.0.0", "1.9.0")
            unidesk.output("down", { d.recipe, tostring(d.major) })
            local v = semver.parse("3.1.4-beta.2+1.25.3-alpine")
            unidesk.output("parsed", { v.major, v.minor, v.patch, v.pre[1], v.pre[2], v.upstream.parts[3], v.upstream.suffix })
            local bad, err = semver.parse("latest")
            unidesk.output("bad", { tostring(bad), err })
            local ok, e = pcall(semver.compare, "1.0.0", "banana")
            unidesk.output("misuse", tostring(e))
            """])
        let r = try t.run()
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = outputs(r)
        #expect(out["sorted"] == .array(["1.2.0-rc.1", "1.2.0+15.4", "1.2.0+15.10", "1.2.0+16.1", "v1.9.9", "1.10.0"].map { .string($0) }))
        #expect(out["upstream_major"] == .array([.string("patch"), .string("major"), .string("true")]))
        #expect(out["recipe_major"] == .array([.string("major"), .string("none"), .string("true")]))
        #expect(out["down"] == .array([.string("downgrade"), .string("false")]))
        #expect(out["parsed"] == .array([.int(3), .int(1), .int(4), .string("beta"), .int(2), .int(3), .string("alpine")]))
        #expect(out["bad"] == .array([.string("nil"), .string("'latest' is not a version (x.y.z, optionally -prerelease and +upstream)")]))
        #expect(out["misuse"]?.stringValue?.contains("bad argument #2 to 'unidesk.semver.compare' ('banana' is not a version") == true, "\(out["misuse"] ?? .null)")
    }

    @Test func stateStoresAtomicallyAndPlanModeWritesNothing() throws {
        let t = try TempRecipe(["recipe.lua": """
            local state = require "unidesk.state"
            if unidesk.mode == "run" then
              state.set("shop/last-good", { version = "1.4.2+15.4", digests = { "sha256:aa" } })
              state.set("shop/canonical", "registry.example/shop")
              state.set("other/x", true)
            end
            local lg = state.get("shop/last-good")
            unidesk.output("last_good", lg and lg.version or "none")
            unidesk.output("keys", state.keys("shop/"))
            unidesk.output("missing", tostring(state.get("shop/nope")))
            local ok, e = pcall(state.set, "../escape", 1)
            unidesk.output("bad_key", tostring(e):find("key '../escape' is invalid", 1, true) ~= nil)
            if unidesk.mode == "plan" then state.set("shop/last-good", { version = "9.9.9" }) end
            """])
        let run = try t.run(allow: ["state.*"])
        #expect(run.exitCode == .ok, "\(run.error?.message ?? "")")
        #expect(outputs(run)["last_good"] == .string("1.4.2+15.4"))
        #expect(outputs(run)["keys"] == .array([.string("shop/canonical"), .string("shop/last-good")]))
        #expect(outputs(run)["missing"] == .string("nil") && outputs(run)["bad_key"] == .bool(true))
        let text = try String(contentsOfFile: "\(t.state)/state/shop/last-good.json", encoding: .utf8)
        #expect(text.contains("\"version\": \"1.4.2+15.4\""))
        let plan = try t.run(.plan(offline: false), allow: ["state.*"])
        #expect(plan.exitCode == .ok, "\(plan.error?.message ?? "")")
        #expect(outputs(plan)["last_good"] == .string("1.4.2+15.4"), "plan mode reads the real state")
        #expect(try String(contentsOfFile: "\(t.state)/state/shop/last-good.json", encoding: .utf8) == text, "and writes nothing")
        #expect(plan.audit.contains { $0.capability == "state.set:shop/last-good" && $0.planned })
    }

    @Test func lockSerialisesAndSaysWhoHoldsIt() throws {
        let t = try TempRecipe(["recipe.lua": """
            local state = require "unidesk.state"
            local inner
            local r = state.lock("shop", function()
              local ok, e = pcall(state.lock, "shop", function() end)
              inner = { e.kind, tostring(e.message:find("pid ", 1, true) ~= nil) }
              return "done"
            end)
            unidesk.output("inner", inner)
            unidesk.output("result", r)
            -- released: a second lock succeeds, also after fn raised
            pcall(state.lock, "shop", function() error("boom") end)
            unidesk.output("again", state.lock("shop", function() return "free" end))
            """])
        let r = try t.run(allow: ["state.*"])
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(outputs(r)["inner"] == .array([.string("busy"), .string("true")]))
        #expect(outputs(r)["result"] == .string("done") && outputs(r)["again"] == .string("free"))
    }
}
