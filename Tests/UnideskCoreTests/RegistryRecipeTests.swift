import Foundation
import Testing
@testable import UnideskCore
import UnideskData

/// The registry primitive as recipes use it, against the real stack (scripts/stack/registry-up).
@Suite(.serialized) struct RegistryRecipeTests {
    @Test func headAnswersAndFailsAsValuesAndErrors() throws {
        let reg = try stackValue("UNIDESK_REG_ANON"), bad = try stackValue("UNIDESK_BAD_REG")
        let t = try TempRecipe(["recipe.lua": """
            local registry = require "unidesk.registry"
            local a = registry.head("\(reg)/unidesk/app:v1")
            local missing = registry.head("\(reg)/unidesk/app:never")
            unidesk.output("digest", a.digest)
            unidesk.output("missing", missing)
            local ok, err = pcall(registry.head, "\(bad)/ratelimited:x")
            unidesk.output("rl_kind", err.kind)
            unidesk.output("rl_remaining", err.rate_limit["ratelimit-remaining"])
            local ok2, misuse = pcall(registry.head, "UPPER/Case")
            unidesk.output("misuse", tostring(misuse):match("bad argument #1 to 'unidesk.registry.head'") ~= nil)
            local many = registry.head_many({ "\(reg)/unidesk/app:v1", "\(bad)/broken:x", "\(reg)/unidesk/app:v2" })
            unidesk.output("many", { many[1].exists, many[2].error.kind, many[3].digest })
            """])
        let r = try t.run()
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = Dictionary(uniqueKeysWithValues: r.outputs)
        #expect(out["digest"] == .string(try stackValue("UNIDESK_DIGEST_APP_V1")))
        #expect(out["missing"]?["exists"] == .bool(false))
        #expect(out["missing"]?["status"] == .int(404))
        #expect(out["rl_kind"] == .string("rate_limited"))
        #expect(out["rl_remaining"] == .string("0"))
        #expect(out["misuse"] == .bool(true))
        #expect(out["many"] == .array([.bool(true), .string("network"), .string(try stackValue("UNIDESK_DIGEST_APP_V2"))]))
        #expect(r.audit.filter { $0.capability == "registry.head:\(reg)/unidesk/app" }.count >= 2)
    }

    @Test func denyRuleAndOfflinePlan() throws {
        let reg = try stackValue("UNIDESK_REG_ANON")
        let t = try TempRecipe(["recipe.lua": """
            local registry = require "unidesk.registry"
            local r = registry.head("\(reg)/unidesk/app:v1")
            unidesk.output("r", r == nil and "nil" or "value")
            """])
        let denied = try t.run(deny: ["registry.head:\(reg)/*"])
        #expect(denied.exitCode == .denied)
        let offline = try t.run(.plan(offline: true))
        #expect(offline.exitCode == .ok)
        #expect(offline.audit.first?.outcome == .planned, "offline plans record network reads instead of performing them")
    }

    @Test func tokenRegistryCredentialsNeverReachTheReport() throws {
        let reg = try stackValue("UNIDESK_REG_TOKEN")
        let t = try TempRecipe(["recipe.lua": """
            local registry = require "unidesk.registry"
            unidesk.output("d", registry.head("\(reg)/unidesk/app:v1").digest)
            """])
        var o = EngineOptions()
        o.color = false
        o.stateDirectory = t.state
        o.environment = ProcessInfo.processInfo.environment
        o.environment["DOCKER_CONFIG"] = try stackValue("UNIDESK_DOCKER_CONFIG")
        let r = Engine(options: o, libraries: UnideskBindings.Libraries.all).run(recipePath: "\(t.dir)/recipe.lua")
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let json = try JSON.encode(r.json)
        let password = try stackValue("UNIDESK_REG_TOKEN_PASSWORD")
        #expect(!json.contains(password))
    }
}

import UnideskBindings
