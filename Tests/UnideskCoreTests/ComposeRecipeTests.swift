import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData
import UnideskProcess

/// unidesk.compose and unidesk.snapshot as recipes use them, against the real engine stack
/// (scripts/stack/engine-up: podman behind a Docker API, Compose v2, the demo images).
@Suite(.serialized) struct ComposeRecipeTests {
    let project = "ut\(UUID().uuidString.prefix(6).lowercased())"

    /// A recipe directory holding the fixture's compose files and `lua` after a prelude that
    /// defines `P(extra)`: the project arguments plus `extra`.
    func recipe(_ lua: String) throws -> TempRecipe {
        let fixture = try stackValue("UNIDESK_COMPOSE_FIXTURE")
        let base = try String(contentsOfFile: "\(fixture)/compose.yaml", encoding: .utf8)
        let previous = try String(contentsOfFile: "\(fixture)/compose.previous.yaml", encoding: .utf8)
        return try TempRecipe(["compose.yaml": base, "compose.previous.yaml": previous, "recipe.lua": """
            local compose = require "unidesk.compose"
            local snapshot = require "unidesk.snapshot"
            local function P(extra)
              local t = { project = "\(project)", files = { "compose.yaml" }, env = { DEMO_PORT = "0" } }
              for k, v in pairs(extra or {}) do
                if k == "env" then for ek, ev in pairs(v) do t.env[ek] = ev end else t[k] = v end
              end
              return t
            end
            """ + "\n" + lua])
    }

    func run(_ t: TempRecipe, mode: RunMode = .run, timeout: Double = 180, stateOf: TempRecipe? = nil,
             environment: [String: String] = [:]) throws -> RunReport {
        var env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        env["UNIDESK_SNAPSHOT_DIR"] = nil
        var o = EngineOptions()
        o.mode = mode
        o.color = false
        o.timeout = timeout
        o.stateDirectory = (stateOf ?? t).state
        o.vars = [("repo", try stackValue("UNIDESK_DEMO_REPO"))]
        try o.policy.add(allow: ["compose.*", "snapshot.*"], deny: [])
        o.environment = env
        return Engine(options: o, libraries: Libraries.all).run(recipePath: "\(t.dir)/recipe.lua")
    }

    func outputs(_ r: RunReport) -> [String: DataValue] { Dictionary(uniqueKeysWithValues: r.outputs) }

    /// Removes the project's containers and volumes, whatever the test did.
    func teardown() {
        guard let fixture = try? stackValue("UNIDESK_COMPOSE_FIXTURE") else { return }
        _ = try? Command.run(["docker", "compose", "-p", project, "-f", "\(fixture)/compose.yaml", "down", "--volumes", "--timeout", "1"],
                             environment: ProcessInfo.processInfo.environment, timeout: 60)
    }

    /// Points unidesk/demo:<tag> at another demo image, as a new publish under the same tag.
    func retag(_ source: String, _ tag: String) throws {
        let r = try Command.run([try stackValue("UNIDESK_ENGINE_RETAG"), source, tag], environment: ProcessInfo.processInfo.environment, timeout: 120)
        try #require(r.status == 0, "retag \(source) \(tag): \(r.stderrTail())")
    }

    @Test func recreateFollowsANewDigestUnderTheSameTagAndTouchesNothingElse() throws {
        defer { teardown() }
        let tag = "t-\(project)"
        try retag("v1", tag)
        let t = try recipe("""
            local image = unidesk.vars.repo .. ":\(tag)"
            compose.up(P { env = { DEMO_IMAGE = image } })
            local before = compose.inspect(P { service = "web", env = { DEMO_IMAGE = image } })
            local worker = compose.inspect(P { service = "worker", env = { DEMO_IMAGE = image } })
            unidesk.output("before", { before.digest, before.labels["org.opencontainers.image.revision"] })
            -- the registry now has another build under the same tag
            unidesk.step("publish", function() assert(unidesk.vars.repo) end)
            """)
        let first = try run(t)
        #expect(first.exitCode == .ok, "\(first.error?.message ?? "")")
        let v1 = [try stackValue("UNIDESK_DEMO_DIGEST_V1"), try stackValue("UNIDESK_DEMO_COMMIT_V1")]
        #expect(outputs(first)["before"] == .array(v1.map { .string($0) }))
        try retag("v2", tag)
        let t2 = try recipe("""
            local image = unidesk.vars.repo .. ":\(tag)"
            local worker = compose.inspect(P { service = "worker", env = { DEMO_IMAGE = image } })
            local old = compose.inspect(P { service = "web", env = { DEMO_IMAGE = image } })
            local new = compose.recreate(P { service = "web", env = { DEMO_IMAGE = image } })
            unidesk.output("after", { new.digest, new.labels["org.opencontainers.image.revision"], new.health, tostring(new.id ~= old.id) })
            local w = compose.inspect(P { service = "worker", env = { DEMO_IMAGE = image } })
            unidesk.output("worker", { tostring(w.id == worker.id), w.status })
            """)
        let second = try run(t2)
        #expect(second.exitCode == .ok, "\(second.error?.message ?? "")")
        let v2 = [try stackValue("UNIDESK_DEMO_DIGEST_V2"), try stackValue("UNIDESK_DEMO_COMMIT_V2"), "healthy", "true"]
        #expect(outputs(second)["after"] == .array(v2.map { .string($0) }))
        #expect(outputs(second)["worker"] == .array([.string("true"), .string("running")]), "recreating web never touches worker")
        let record = second.audit.first { $0.primitive == "unidesk.compose.recreate" }
        #expect(record?.capability == "compose.recreate:\(project)/web")
    }

    @Test func aMissingTagLeavesTheRunningContainerAndAnUnhealthyImageSaysWhy() throws {
        defer { teardown() }
        let t = try recipe("""
            local v1 = unidesk.vars.repo .. ":v1"
            compose.up(P { env = { DEMO_IMAGE = v1 } })
            local running = compose.inspect(P { service = "web", env = { DEMO_IMAGE = v1 } })
            local ok, err = pcall(compose.recreate, P { service = "web", env = { DEMO_IMAGE = unidesk.vars.repo .. ":never-published" } })
            unidesk.output("pull", { err.kind, tostring(err.message:find("never-published", 1, true) ~= nil) })
            local still = compose.inspect(P { service = "web", env = { DEMO_IMAGE = v1 } })
            unidesk.output("untouched", { tostring(still.id == running.id), still.status, still.health })
            local ok2, bad = pcall(compose.recreate, P { service = "web", timeout = 30, env = { DEMO_IMAGE = unidesk.vars.repo .. ":broken" } })
            unidesk.output("broken", { bad.kind, bad.health_output or "", bad.container and bad.container.labels["org.opencontainers.image.version"] or "" })
            """)
        let r = try run(t)
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(outputs(r)["pull"] == .array([.string("pull_failed"), .string("true")]))
        #expect(outputs(r)["untouched"] == .array([.string("true"), .string("running"), .string("healthy")]))
        guard case .array(let broken)? = outputs(r)["broken"] else { Issue.record("no output"); return }
        #expect(broken.first == .string("unhealthy"))
        #expect(broken[1].stringValue?.contains("500") == true, "the last health check's output: \(broken[1])")
        let brokenVersion = try stackValue("UNIDESK_DEMO_VERSION_BROKEN")
        #expect(broken[2] == .string(brokenVersion))
    }

    @Test func planModeShowsTheImageAndTheContainerItWouldReplace() throws {
        defer { teardown() }
        let up = try run(try recipe("compose.up(P { env = { DEMO_IMAGE = unidesk.vars.repo .. ':v1' } })"))
        #expect(up.exitCode == .ok, "\(up.error?.message ?? "")")
        let t = try recipe("""
            local r = compose.recreate(P { service = "web", env = { DEMO_IMAGE = unidesk.vars.repo .. ":v2" } })
            unidesk.output("planned", { tostring(r.planned), r.image })
            compose.down(P { volumes = true })
            """)
        let plan = try run(t, mode: .plan(offline: false))
        #expect(plan.exitCode == .ok, "\(plan.error?.message ?? "")")
        let repo = try stackValue("UNIDESK_DEMO_REPO"), digest1 = try stackValue("UNIDESK_DEMO_DIGEST_V1")
        #expect(outputs(plan)["planned"] == .array([.string("true"), .string(repo + ":v2")]))
        let detail = plan.audit.first { $0.primitive == "unidesk.compose.recreate" }?.detail?.stringValue ?? ""
        #expect(detail.contains("pull \(repo):v2, then recreate web (replacing ") && detail.contains(digest1), "\(detail)")
        let verdicts = plan.audit.filter { $0.effect == .write }.map(\.verdict)
        #expect(verdicts == [.replace, .delete], "the running container is replaced, down removes; \(verdicts)")
        // Nothing changed: the v1 container still runs, down was only planned.
        let check = try run(try recipe("unidesk.output('digest', compose.inspect(P { service = 'web' }).digest)"))
        #expect(outputs(check)["digest"] == .string(digest1))
    }

    @Test func snapshotOfAnEngineVolumeRoundTripsAndRefusesWhileInUse() throws {
        defer { teardown() }
        let volume = "\(project)_data"
        let t = try recipe("""
            local v1 = unidesk.vars.repo .. ":v1"
            compose.up(P { env = { DEMO_IMAGE = v1 } })
            local ok, none = pcall(snapshot.restore, { app = "demo" })
            unidesk.output("none", none.kind)
            compose.stop(P { env = { DEMO_IMAGE = v1 } })
            local m = snapshot.take { app = "demo", volumes = { "\(volume)" }, meta = { version = "1.0.0" } }
            unidesk.output("taken", { m.volumes[1].name, m.volumes[1].kind, tostring(m.volumes[1].files > 0) })
            """)
        let r = try run(t)
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(outputs(r)["none"] == .string("not_found"))
        #expect(outputs(r)["taken"] == .array([.string(volume), .string("volume"), .string("true")]))

        let mount = try Command.run(["docker", "volume", "inspect", "--format", "{{.Mountpoint}}", volume],
                                    environment: ProcessInfo.processInfo.environment, timeout: 30).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        func tree() throws -> String {
            try Command.run(["sh", "-c", "cd '\(mount)' && find . -printf '%p %y %m %U:%G %s %l\\n' | sort && find . -type f -exec sha256sum {} + | sort"],
                            environment: ProcessInfo.processInfo.environment, timeout: 30).stdoutText
        }
        let atSnapshot = try tree()
        #expect(atSnapshot.contains("worker.heartbeat"), "the worker wrote into the volume: \(atSnapshot.prefix(200))")

        // Running again, the app changes its data; a restore now is refused.
        let inUse = try recipe("""
            compose.up(P { services = { "worker" }, env = { DEMO_IMAGE = unidesk.vars.repo .. ":v1" } })
            local ok, used = pcall(snapshot.restore, { app = "demo" })
            unidesk.output("in_use", { used.kind, tostring(used.message:find("\(project)-worker-1", 1, true) ~= nil) })
            compose.stop(P { env = { DEMO_IMAGE = unidesk.vars.repo .. ":v1" } })
            """)
        let refused = try run(inUse, stateOf: t)
        #expect(refused.exitCode == .ok, "\(refused.error?.message ?? "")")
        #expect(outputs(refused)["in_use"] == .array([.string("in_use"), .string("true")]), "\(outputs(refused)["in_use"] ?? .null)")
        try "mutated".write(toFile: "\(mount)/added-after", atomically: false, encoding: .utf8)
        #expect(try tree() != atSnapshot)

        let restore = try recipe("""
            local r = snapshot.restore { app = "demo" }
            unidesk.output("restored", { r.volumes[1], r.meta.version })
            """)
        let restored = try run(restore, stateOf: t)
        #expect(restored.exitCode == .ok, "\(restored.error?.message ?? "")")
        #expect(outputs(restored)["restored"] == .array([.string(volume), .string("1.0.0")]))
        #expect(try tree() == atSnapshot, "the volume is byte for byte what it was at the snapshot")
    }
}

extension ComposeRecipeTests {
    /// A docker CLI without the compose plugin (DOCKER_CONFIG pointing elsewhere) is a clear
    /// compose_error naming the plugin and where it goes, not docker's "Run 'docker --help'".
    @Test func aMissingComposePluginIsNamed() throws {
        let t = try recipe("""
            local ok, err = pcall(compose.ps, P())
            unidesk.output("kind", err.kind)
            unidesk.output("message", err.message)
            """)
        let empty = t.dir + "/no-plugins"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let r = try run(t, environment: ["DOCKER_CONFIG": empty, "HOME": empty])
        let o = outputs(r)
        #expect(o["kind"] == .string("compose_error"), "\(o)")
        let message = o["message"]?.stringValue ?? ""
        #expect(message.contains("Docker Compose v2 is not installed") && message.contains("\(empty)/cli-plugins"), "\(message)")
    }
}
