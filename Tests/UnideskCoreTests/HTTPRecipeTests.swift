import Foundation
import Testing
@testable import UnideskCore
import UnideskData

/// unidesk.http as recipes use it, against the stack's HTTP server (scripts/stack/registry-up).
@Suite(.serialized) struct HTTPRecipeTests {
    @Test func getWaitAndErrors() throws {
        let bad = try stackValue("UNIDESK_BAD_REG"), reg = try stackValue("UNIDESK_REG_ANON")
        let t = try TempRecipe(["recipe.lua": """
            local http = require "unidesk.http"
            local r = http.get("http://\(bad)/v2/")
            unidesk.output("status", r.status)
            local broken = http.get("http://\(bad)/v2/broken/manifests/x")
            unidesk.output("broken", broken.status)
            local manifest = http.get("http://\(reg)/v2/unidesk/app/manifests/v1",
              { headers = { Accept = "application/vnd.oci.image.manifest.v1+json" } })
            unidesk.output("schema", manifest:json().schemaVersion)
            local ready = http.wait("http://\(bad)/v2/", { timeout = 5, interval = 0.2 })
            unidesk.output("ready", ready.status)
            local ok, err = pcall(http.wait, "http://\(bad)/v2/broken/manifests/x", { timeout = 1, interval = 0.2 })
            unidesk.output("wait_kind", err.kind)
            unidesk.output("wait_msg", tostring(err):find("status 503") ~= nil)
            local ok2, stall = pcall(http.get, "http://\(bad)/v2/stall/manifests/x", { timeout = 1 })
            unidesk.output("stall", stall.kind)
            unidesk.output("redirected", http.get("http://\(bad)/redirect/3"):json().redirected)
            unidesk.output("not_followed", http.get("http://\(bad)/redirect/3", { redirects = 0 }).status)
            local ok4, loop = pcall(http.get, "http://\(bad)/redirect/9", { redirects = 5 })
            unidesk.output("too_many", loop.kind)
            local ok3, file = pcall(http.get, "file:///etc/passwd")
            unidesk.output("file", tostring(file):find("http:// or https://") ~= nil)
            """])
        let started = Date()
        let r = try t.run()
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = Dictionary(uniqueKeysWithValues: r.outputs)
        #expect(out["status"] == .int(200))
        #expect(out["broken"] == .int(503), "an HTTP error status is a response")
        #expect(out["schema"] == .int(2))
        #expect(out["ready"] == .int(200))
        #expect(out["wait_kind"] == .string("timeout"))
        #expect(out["wait_msg"] == .bool(true))
        #expect(out["stall"] == .string("timeout"))
        #expect(out["file"] == .bool(true))
        #expect(out["redirected"] == .bool(true), "redirects are followed")
        #expect(out["not_followed"] == .int(302), "redirects = 0 returns the redirect itself")
        #expect(out["too_many"] == .string("protocol"), "more redirects than allowed is an error")
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(r.audit.contains { $0.capability == "http.get:\(bad)" })
    }
}
