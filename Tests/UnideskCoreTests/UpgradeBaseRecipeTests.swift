import Foundation
import Testing
@testable import UnideskCore
import UnideskData
import UnideskProcess

/// recipes/upgrade-base against the real engine: which base is deployed (override, last
/// green, branch tip, none), the base with its previous/ overlay and the head without it,
/// and the base-only service removed once the head has converged.
@Suite(.serialized) struct UpgradeBaseRecipeTests {
    static let files = ["recipe.lua", "base.lua", "deploy/compose.yaml", "deploy/previous/compose.yaml"]

    /// One run of the recipe on `demo`'s project, and what the engine did to its containers.
    func upgrade(_ demo: DemoProject, _ box: RecipeSandbox, _ vars: [(String, String)]) throws -> (RunReport, [ContainerEvents.Event]) {
        let mark = try ContainerEvents()
        let r = box.run(vars: [("repo", demo.repo), ("app", demo.name), ("project", demo.name), ("port", "\(demo.port)")] + vars,
                        allow: ["compose.*", "state.*"])
        return (r, try mark.events(project: demo.name))
    }

    /// The images legacy-cron was created with: only the base (with previous/) defines it.
    func baseImages(_ events: [ContainerEvents.Event]) -> Set<String> {
        Set(events.filter { $0.service == "legacy-cron" && $0.action == "create" }.map(\.image))
    }

    func timeline(_ events: [ContainerEvents.Event]) -> String {
        events.filter { ["create", "start", "died", "remove"].contains($0.action) }
            .map { "\($0.time.suffix(18)) \($0.action) \($0.service) \($0.image.split(separator: ":").last ?? "")" }.joined(separator: "\n")
    }

    func seedLastGreen(_ box: RecipeSandbox, app: String, _ version: String) throws {
        _ = try box.lua(#"require("unidesk.state").set(unidesk.vars.app .. "/last-green", { version = unidesk.vars.version })"#,
                        vars: [("app", app), ("version", version)], allow: ["state.*"])
    }

    @Test func withNeitherOverrideNorLastGreenTheBranchTipIsUpgradedToTheHead() throws {
        let demo = try DemoProject(prefix: "ubt", start: false)
        defer { demo.down() }
        let box = try RecipeSandbox("upgrade-base", files: Self.files)
        defer { box.remove() }
        let repo = demo.repo
        let (r, events) = try upgrade(demo, box, [("branch_tip", "v1"), ("head", "v2")])
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(r.output("base")?["version"] == .string("v1") && r.output("base")?["source"] == .string("branch tip"), "\(String(describing: r.output("base")))")
        #expect(r.steps.filter { $0.depth == 0 }.map(\.name) == ["deploy base v1", "upgrade to v2", "remove services the head no longer defines"])

        // The base ran with previous/: legacy-cron on the base's image (its up waited for it
        // to be healthy), beside the base's web.
        #expect(baseImages(events) == ["\(repo):v1"], "legacy-cron is deployed with the base only: \(baseImages(events))")
        #expect(events.contains { $0.service == "web" && $0.image == "\(repo):v1" && $0.action == "start" }, "the base's web ran v1")
        // It was still running when the head's web had started (the head's up waits for it to
        // be healthy), and went after that.
        let headStart = events.first { $0.service == "web" && $0.image == "\(repo):v2" && $0.action == "start" }
        let cronEnd = events.first { $0.service == "legacy-cron" && ["stop", "died", "remove"].contains($0.action) }
        #expect(events.contains { $0.service == "legacy-cron" && $0.action == "remove" }, "legacy-cron's container is removed")
        #expect(headStart != nil && cronEnd != nil && cronEnd!.time > headStart!.time,
                "legacy-cron went before the head's web had started:\n\(timeline(events))")
        if let head = headStart, let end = cronEnd {
            let headEnd = events.first { $0.container == head.container && ["died", "remove"].contains($0.action) }
            #expect(headEnd.map { $0.time > end.time } ?? true, "the head's web ran until legacy-cron had gone")
        }

        // What runs now: the head, without the base's extra service.
        let ps = try demo.compose(["ps", "-a", "--format", "{{.Service}} {{.Image}} {{.State}}"]).stdoutText
        #expect(ps.split(separator: "\n").map(String.init).sorted() == ["web \(repo):v2 running", "worker \(repo):v1 running"], "\(ps)")
        let health = try JSON.decode(bytes: try demo.get("/health"))
        #expect(health["deploy"]?["version"] == .string(try stackValue("UNIDESK_DEMO_VERSION_V2")))
        #expect(health["deploy"]?["commit"] == .string(try stackValue("UNIDESK_DEMO_COMMIT_V2")))
        let env = ProcessInfo.processInfo.environment
        let image = try Command.run(["docker", "inspect", "--format", "{{.Image}}", "\(demo.name)-web-1"], environment: env, timeout: 30).stdoutText
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let digests = try Command.run(["docker", "image", "inspect", "--format", "{{json .RepoDigests}}", image], environment: env, timeout: 30).stdoutText
        #expect(digests.contains("\(repo)@\(try stackValue("UNIDESK_DEMO_DIGEST_V2"))"), "web runs the head's digest: \(digests)")
        #expect(try box.stateValue("\(demo.name)/last-green") == .object([("version", .string("v2"))]), "last-green is the head")
    }

    @Test func withoutAnOverrideTheLastGreenRunsVersionIsTheBase() throws {
        let demo = try DemoProject(prefix: "ubg", start: false)
        defer { demo.down() }
        let box = try RecipeSandbox("upgrade-base", files: Self.files)
        defer { box.remove() }
        try seedLastGreen(box, app: demo.name, "v1")
        // The branch tip is the broken image: choosing it would fail the base deploy.
        let (r, events) = try upgrade(demo, box, [("branch_tip", "broken"), ("head", "v2")])
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(r.output("base")?["version"] == .string("v1") && r.output("base")?["source"] == .string("last green"), "\(String(describing: r.output("base")))")
        #expect(baseImages(events) == ["\(demo.repo):v1"], "the base deployed is the last green one: \(baseImages(events))")
        #expect(!events.contains { $0.image.hasSuffix(":broken") }, "the branch tip was not deployed")
        #expect(try box.stateValue("\(demo.name)/last-green") == .object([("version", .string("v2"))]), "the head is the new last green")
    }

    @Test func anOverrideBaseWinsOverTheLastGreenRunAndTheBranchTip() throws {
        let demo = try DemoProject(prefix: "ubo", start: false)
        defer { demo.down() }
        let box = try RecipeSandbox("upgrade-base", files: Self.files)
        defer { box.remove() }
        try seedLastGreen(box, app: demo.name, "v2")
        let (r, events) = try upgrade(demo, box, [("base", "v1"), ("branch_tip", "broken"), ("head", "v2")])
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(r.output("base")?["version"] == .string("v1") && r.output("base")?["source"] == .string("override"), "\(String(describing: r.output("base")))")
        #expect(baseImages(events) == ["\(demo.repo):v1"], "the base deployed is the override: \(baseImages(events))")
        #expect(!events.contains { $0.image.hasSuffix(":broken") }, "the branch tip was not deployed")
    }

    @Test func withNoBaseTheUpgradeTierIsSkippedAndNothingIsDeployed() throws {
        let demo = try DemoProject(prefix: "ubn", start: false)
        defer { demo.down() }
        let box = try RecipeSandbox("upgrade-base", files: Self.files)
        defer { box.remove() }
        // CI passes empty variables when it has no override and no tip.
        let (r, events) = try upgrade(demo, box, [("base", ""), ("branch_tip", ""), ("head", "v2")])
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(r.output("base")?["source"] == .string("no base: the upgrade tier is skipped"), "\(String(describing: r.output("base")))")
        #expect(r.output("base")?["version"] == .null)
        #expect(r.steps.isEmpty && !r.audit.contains { $0.primitive.hasPrefix("compose.") }, "\(r.steps.map(\.name))")
        #expect(events.isEmpty, "the engine was not touched: \(events.map { "\($0.action) \($0.service)" })")
        let left = try engineLeftovers(project: demo.name)
        #expect(left.containers.isEmpty && left.volumes.isEmpty, "\(left)")
        #expect(try box.stateValue("\(demo.name)/last-green") == nil, "a skipped tier is not a green run")
    }
}
