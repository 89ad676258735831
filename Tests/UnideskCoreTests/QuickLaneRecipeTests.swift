import Foundation
import Testing
@testable import UnideskCore
import UnideskData
import UnideskProcess

/// recipes/quick-lane against the real engine: the head on the warm canonical's volume,
/// then undeployed with the volume kept (pass) or the known-good snapshot restored (fail);
/// without a canonical, the cold path. A quick run never promotes.
@Suite(.serialized) struct QuickLaneRecipeTests {
    static let files = ["recipe.lua", "quick.lua", "deploy/compose.yaml"]

    /// The warm canonical as an earlier run leaves it: the app ran v1 on its volume and users
    /// wrote an order; then it was stopped, snapshotted as the known-good, and undeployed with
    /// the volume kept. Returns the known-good snapshot's id.
    func warmCanonical(_ demo: DemoProject, _ box: RecipeSandbox) throws -> String {
        let put = try Command.run(["curl", "-sf", "-X", "PUT", "--data-binary", "order-42", "http://127.0.0.1:\(demo.port)/data/orders"],
                                  environment: demo.environment, timeout: 30)
        try #require(put.status == 0, "\(put.stderrTail())")
        let r = try box.lua("""
            local compose, snapshot, state = require "unidesk.compose", require "unidesk.snapshot", require "unidesk.state"
            local v = unidesk.vars
            local p = { project = v.project, dir = "deploy", env = { DEMO_PORT = v.port } }
            compose.stop(p)
            local m = snapshot.take { app = v.app, volumes = { v.project .. "_data" }, meta = { version = "1.0.0" } }
            compose.down(p)
            state.set(v.app .. "/canonical", { volume = v.project .. "_data" })
            unidesk.output("known_good", m.id)
            """, vars: vars(demo), allow: ["compose.*", "snapshot.*", "state.*"])
        let id = try #require(r.output("known_good")?.stringValue)
        let left = try engineLeftovers(project: demo.name)
        try #require(left.containers.isEmpty && left.volumes == ["\(demo.name)_data"], "warm canonical: \(left)")
        return id
    }

    func vars(_ demo: DemoProject) -> [(String, String)] {
        [("app", demo.name), ("project", demo.name), ("port", "\(demo.port)")]
    }

    /// The quick lane with `tag` as the head; it needs no state grant: it never promotes
    /// (`alerts`: it may record alerts, and raises one for a failed head).
    func quick(_ demo: DemoProject, _ box: RecipeSandbox, head tag: String, alerts: Bool = false) throws -> (RunReport, [ContainerEvents.Event]) {
        let mark = try ContainerEvents()
        let r = box.run(vars: vars(demo) + [("head", "\(demo.repo):\(tag)")], allow: ["compose.*", "snapshot.*"] + (alerts ? ["state.set:alerts/*"] : []))
        return (r, try mark.events(project: demo.name))
    }

    /// The app's known-good snapshot id, as `snapshot.info` reports it.
    func knownGood(_ demo: DemoProject, _ box: RecipeSandbox) throws -> String? {
        let r = try box.lua(#"local m = require("unidesk.snapshot").info { app = unidesk.vars.app } unidesk.output("id", m and m.id or unidesk.null)"#,
                            vars: vars(demo))
        return r.output("id")?.stringValue
    }

    @Test func aPassingHeadRunsOnTheCanonicalVolumeWhichIsKeptAndNothingIsPromoted() throws {
        let demo = try DemoProject(prefix: "qlp")
        defer { demo.down() }
        let box = try RecipeSandbox("quick-lane", files: Self.files)
        defer { box.remove() }
        let id = try warmCanonical(demo, box)
        let volume = "\(demo.name)_data"
        #expect(try volumeFiles(volume)["orders"] == Array("order-42".utf8))

        let (r, events) = try quick(demo, box, head: "v2")
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = r.output("quick_lane")
        #expect(out?["path"] == .string("quick") && out?["passed"] == .bool(true) && out?["known_good"] == .string(id), "\(String(describing: out))")
        #expect(events.contains { $0.service == "web" && $0.image == "\(demo.repo):v2" && $0.action == "start" }, "the head ran")

        let after = try volumeFiles(volume)
        #expect(after["orders"] == Array("order-42".utf8), "the canonical's data is still there")
        let boots = String(decoding: after["boots.log"] ?? [], as: UTF8.self)
        let v2 = "\(try stackValue("UNIDESK_DEMO_VERSION_V2")) \(try stackValue("UNIDESK_DEMO_COMMIT_V2"))"
        #expect(boots.contains(" \(v2) "), "the head booted on the canonical's volume: \(boots)")
        let left = try engineLeftovers(project: demo.name)
        #expect(left.containers.isEmpty, "undeployed: \(left.containers)")
        #expect(left.volumes == [volume], "the volume is kept: \(left.volumes)")
        #expect(try knownGood(demo, box) == id, "the known-good is unchanged: a quick run never promotes")
        #expect(try box.stateValue("\(demo.name)/canonical") == .object([("volume", .string(volume))]))
    }

    @Test func aFailingHeadGetsTheKnownGoodSnapshotBackAndTheRunFails() throws {
        let demo = try DemoProject(prefix: "qlf")
        defer { demo.down() }
        let box = try RecipeSandbox("quick-lane", files: Self.files)
        defer { box.remove() }
        let id = try warmCanonical(demo, box)
        let volume = "\(demo.name)_data"
        let before = try volumeFiles(volume)

        let (r, events) = try quick(demo, box, head: "broken", alerts: true)
        #expect(r.exitCode == .recipeFailed)
        // People hear of it: an alert, through the operator's sinks when there are some.
        guard case .array(let alerts)? = r.outputs.first(where: { $0.0 == "alerts" })?.1 else { Issue.record("no alert raised"); return }
        #expect(alerts.first?["kind"] == .string("quick_lane_failed") && alerts.first?["last_good"] == .string(id), "\(alerts)")
        let message = r.error?.message ?? ""
        #expect(message.contains("quick lane FAILED") && message.contains("unhealthy") && message.contains("known-good \(id) restored"), "\(message)")
        #expect(r.output("quick_lane")?["passed"] == .bool(false))
        // The broken head did run on the volume (its boot is logged there)…
        #expect(events.contains { $0.service == "web" && $0.image == "\(demo.repo):broken" && $0.action == "start" }, "the head was tried")
        // …and the volume holds the known-good's bytes again, nothing of the broken run.
        let after = try volumeFiles(volume)
        let changed = Set(after.keys).union(before.keys).filter { after[$0] != before[$0] }.sorted()
        #expect(changed.isEmpty, "files that differ from the known-good after the failed run: \(changed)")
        #expect(!String(decoding: after["boots.log"] ?? [], as: UTF8.self).contains(try stackValue("UNIDESK_DEMO_VERSION_BROKEN")))
        let left = try engineLeftovers(project: demo.name)
        #expect(left.containers.isEmpty, "undeployed: \(left.containers)")
        #expect(left.volumes == [volume], "the volume is kept: \(left.volumes)")
        #expect(try knownGood(demo, box) == id, "the known-good is still the one restored")
    }

    @Test func withoutAWarmCanonicalTheOutputSaysSoAndTheColdPathIsLeftToRun() throws {
        let demo = try DemoProject(prefix: "qlc", start: false)
        defer { demo.down() }
        let box = try RecipeSandbox("quick-lane", files: Self.files)
        defer { box.remove() }

        let (r, events) = try quick(demo, box, head: "v2")
        #expect(r.exitCode == .ok, "the pipeline goes on to the cold path: \(r.error?.message ?? "")")
        #expect(r.output("quick_lane")?["path"] == .string("cold") && r.output("quick_lane")?["reason"] == .string("no warm canonical"),
                "\(String(describing: r.output("quick_lane")))")
        #expect(events.isEmpty && !r.audit.contains { $0.primitive.hasPrefix("compose.") || $0.primitive == "snapshot.restore" },
                "nothing was deployed or restored: \(r.audit.map(\.primitive))")

        // A known-good snapshot alone is no warm canonical (its volume may be long gone).
        let seed = box.state + "/seed"
        try FileManager.default.createDirectory(atPath: seed, withIntermediateDirectories: true)
        try "order-1".write(toFile: seed + "/orders", atomically: true, encoding: .utf8)
        _ = try box.lua(#"require("unidesk.snapshot").take { app = unidesk.vars.app, volumes = { unidesk.vars.seed } }"#,
                        vars: vars(demo) + [("seed", seed)], allow: ["snapshot.*", "snapshot.*:*//*"])   // a host path needs its own grant
        let (r2, events2) = try quick(demo, box, head: "v2")
        #expect(r2.exitCode == .ok, "\(r2.error?.message ?? "")")
        #expect(r2.output("quick_lane")?["reason"] == .string("no warm canonical"), "\(String(describing: r2.output("quick_lane")))")
        #expect(events2.isEmpty && !r2.audit.contains { $0.primitive.hasPrefix("compose.") || $0.primitive == "snapshot.restore" },
                "nothing was deployed or restored: \(r2.audit.map(\.primitive))")

        // A canonical without a known-good snapshot cannot be put back: cold path too.
        _ = try box.lua("""
            require("unidesk.snapshot").drop { app = unidesk.vars.app }
            require("unidesk.state").set(unidesk.vars.app .. "/canonical", { volume = unidesk.vars.project .. "_data" })
            """, vars: vars(demo), allow: ["snapshot.*", "state.*"])
        let (r3, events3) = try quick(demo, box, head: "v2")
        #expect(r3.exitCode == .ok, "\(r3.error?.message ?? "")")
        #expect(r3.output("quick_lane")?["path"] == .string("cold") && r3.output("quick_lane")?["reason"] == .string("no known-good snapshot"),
                "\(String(describing: r3.output("quick_lane")))")
        #expect(events3.isEmpty)
        let left = try engineLeftovers(project: demo.name)
        #expect(left.containers.isEmpty && left.volumes.isEmpty, "\(left)")
    }
}

extension QuickLaneRecipeTests {
    /// With --var base and no warm canonical, the cold path: the base deployed on the app's
    /// volume, snapshotted as the known-good and recorded as the canonical, then the head tested
    /// on it as a quick run would; the next run finds the canonical and is quick.
    @Test func withABaseTheColdPathBuildsTheWarmCanonicalAndTheNextRunIsQuick() throws {
        let demo = try DemoProject(prefix: "qlk", start: false)
        defer { demo.down() }
        let box = try RecipeSandbox("quick-lane", files: Self.files)
        defer { box.remove() }
        let volume = "\(demo.name)_data"
        let mark = try ContainerEvents()
        let r = box.run(vars: vars(demo) + [("head", "\(demo.repo):v2"), ("base", "\(demo.repo):v1")],
                        allow: ["compose.*", "snapshot.*", "state.set:\(demo.name)/canonical"])
        let events = try mark.events(project: demo.name)
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let out = r.output("quick_lane")
        #expect(out?["path"] == .string("cold") && out?["reason"] == .string("no warm canonical") && out?["passed"] == .bool(true),
                "\(String(describing: out))")
        let id = try #require(out?["known_good"]?.stringValue)
        #expect(try knownGood(demo, box) == id, "the base's snapshot is the known-good")
        let started = events.filter { $0.service == "web" && $0.action == "start" }.map(\.image)
        #expect(started == ["\(demo.repo):v1", "\(demo.repo):v2"], "the base, then the head: \(started)")
        let boots = String(decoding: try volumeFiles(volume)["boots.log"] ?? [], as: UTF8.self)
        for tag in ["V1", "V2"] {
            let line = "\(try stackValue("UNIDESK_DEMO_VERSION_\(tag)")) \(try stackValue("UNIDESK_DEMO_COMMIT_\(tag)"))"
            #expect(boots.contains(" \(line) "), "\(tag) booted on the app's volume: \(boots)")
        }
        let left = try engineLeftovers(project: demo.name)
        #expect(left.containers.isEmpty && left.volumes == [volume], "undeployed, the volume kept: \(left)")
        let canonical = try box.stateValue("\(demo.name)/canonical")
        #expect(canonical?["base"] == .string("\(demo.repo):v1") && canonical?["volumes"] == .array([.string(volume)]), "\(String(describing: canonical))")

        let (again, _) = try quick(demo, box, head: "v2")
        #expect(again.exitCode == .ok, "\(again.error?.message ?? "")")
        let next = again.output("quick_lane")
        #expect(next?["path"] == .string("quick") && next?["passed"] == .bool(true) && next?["known_good"] == .string(id), "\(String(describing: next))")
    }
}
