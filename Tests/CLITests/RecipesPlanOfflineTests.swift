import Foundation
import Testing
import UnideskTestSupport

/// `unidesk plan --offline` of every recipe in recipes/, as its README runs it: each plans to
/// its documented end (exit 0, or the exit code its README gives for that input) and prints a
/// plan, never a Lua error from a planned or unknown value read as if it were the real one.
/// Nothing is sent, so no stack service is used; the compose recipes need the compose CLI
/// (`docker compose config` resolves the image a recreate would pull) and the demo project's
/// variables, from the engine stack's env.sh.
@Suite("CLI plan --offline of every recipe")
struct RecipesPlanOfflineTests {
    struct Case: Sendable, CustomStringConvertible {
        let recipe: String
        let arguments: [String]
        let exitCode: Int32
        /// What the recipe prints (stdout, or stderr for its error) that shows it took the truthful branch.
        let says: String
        var environment: [String: String] = [:]
        var description: String { "\(recipe) \(arguments.joined(separator: " "))" }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let demo = "127.0.0.1:5000/unidesk/demo"

    static let cases: [Case] = [
        Case(recipe: "artifact-lane", arguments: ["--var", "file=desired.yaml", "--allow", "fs.write:artifact-lane/*"], exitCode: 0,
             says: "check the registry (unknown: plan --offline asked no registry)"),
        Case(recipe: "compose-consumer", arguments: ["--var", "repo=\(demo)", "--var", "commit=ad8b789d57e1c169d2253dd59b10d599f13d4d68",
                                                     "--var", "port=18080", "--allow", "compose.*"], exitCode: 0,
             says: "plan: deploy ad8b789d57e1c169d2253dd59b10d599f13d4d68 as its digest (unknown: plan --offline asked no registry)"),
        Case(recipe: "desired-state", arguments: ["--allow", "fs.write:desired-state/*"], exitCode: 0, says: "mdtodo       dev   a41d9e0"),
        Case(recipe: "health-gated-upgrade", arguments: ["--var", "repo=\(demo)", "--var", "target=v2", "--var", "port=18080",
                                                         "--allow", "compose.*", "--allow", "snapshot.*", "--allow", "state.*"], exitCode: 0,
             says: "demo: upgrade to v2 planned; its health gate runs only in a run"),
        // plan checks the migration files only: the admin DSN is never used.
        Case(recipe: "migration-gate", arguments: ["--secret-env", "MIGRATE_ADMIN_DSN", "--allow", "pg.exec:*"], exitCode: 0,
             says: "plan mode: the files were checked", environment: ["MIGRATE_ADMIN_DSN": "postgresql://nobody@127.0.0.1:9/none"]),
        Case(recipe: "migration-gate", arguments: ["--secret-env", "MIGRATE_ADMIN_DSN", "--allow", "pg.exec:*", "--var", "fixture=duplicate-slot"],
             exitCode: 1, says: "version 2 has 2 migrations", environment: ["MIGRATE_ADMIN_DSN": "postgresql://nobody@127.0.0.1:9/none"]),
        Case(recipe: "quick-lane", arguments: ["--var", "head=\(demo):v2", "--allow", "compose.*", "--allow", "snapshot.*"], exitCode: 0,
             says: "quick lane not possible (no warm canonical)"),
        Case(recipe: "quick-lane", arguments: ["--var", "head=\(demo):v2", "--var", "base=\(demo):v1", "--allow", "compose.*",
                                               "--allow", "snapshot.*", "--allow", "state.set:*/canonical"], exitCode: 0,
             says: "cold path planned: the head's check runs only in a run"),
        Case(recipe: "safety-gate", arguments: ["--var", "app=shop", "--var", "target=1.4.3+15.4", "--var", "current=1.4.2+15.4",
                                                "--var", "notes=fixtures/notes-1.4.3.md", "--allow", "state.set:alerts/*"], exitCode: 0,
             says: "shop: 1.4.2+15.4 → 1.4.3+15.4 may proceed"),
        // Held (exit 1, as the README says): the plan shows the alert a run would record.
        Case(recipe: "safety-gate", arguments: ["--var", "app=shop", "--var", "target=1.5.0+15.5", "--var", "current=1.4.2+15.4",
                                                "--var", "notes=fixtures/notes-1.5.0.md", "--allow", "state.set:alerts/*"], exitCode: 1,
             says: "held: release notes"),
        Case(recipe: "upgrade-base", arguments: ["--var", "repo=\(demo)", "--var", "head=v2", "--var", "branch_tip=v1",
                                                 "--allow", "compose.*", "--allow", "state.*"], exitCode: 0,
             says: "upgrading demo from v1 (branch tip) to v2"),
    ]

    @Test("every recipe in recipes/ has a case here")
    func everyRecipeIsCovered() throws {
        let dirs = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("recipes").path)
            .filter { FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("recipes/\($0)/recipe.lua").path) }
        #expect(!dirs.isEmpty)
        for d in dirs { #expect(Self.cases.contains { $0.recipe == d }, "recipes/\(d) has no plan --offline case") }
    }

    @Test("plans to its documented end", arguments: cases)
    func plansOffline(_ c: Case) throws {
        // The compose files need the compose CLI plugin and the demo image's default registry.
        for name in ["DOCKER_CONFIG", "UNIDESK_REG_ANON"] { _ = try StackEnvironment.engine.value(name) }
        let state = try TempDir(prefix: "unidesk-plan-offline")
        defer { state.remove() }
        let r = try Unidesk.run(["plan", "recipes/\(c.recipe)/recipe.lua", "--offline", "--state-dir", state.path("state"),
                                 "--report", state.path("report.json")] + c.arguments,
                                in: Self.root, environment: c.environment, hardTimeout: 60)
        #expect(r.exitCode == c.exitCode && !r.killed && !r.signalled, "\(r.summary)")
        #expect(r.stdout.contains(c.says) || r.stderr.contains(c.says), "\(r.summary)")
        // A planned or unknown value used as the real one ends in a Lua error like these.
        for crash in ["attempt to index", "attempt to concatenate", "attempt to compare", "attempt to perform arithmetic", "attempt to call"] {
            #expect(!r.stderr.contains(crash), "\(r.summary)")
        }
        // The plan's end: counts or "No changes." after a finished recipe; "Plan incomplete"
        // after one that failed (with no counts when it failed before any effect).
        let lines = r.stderr.split(separator: "\n")
        if c.exitCode == 0 {
            #expect(lines.contains { $0.hasPrefix("Plan: ") || $0.hasPrefix("No changes.") }, "no plan summary line\n\(r.summary)")
        } else {
            #expect(r.stderr.contains("Plan incomplete: the recipe stopped (failed, exit \(c.exitCode))"), "\(r.summary)")
        }
        // The report says the same, and nothing was performed.
        let data = try Data(contentsOf: state.url.appendingPathComponent("report.json"))
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(report["exit_code"] as? Int == Int(c.exitCode))
        #expect(((report["effects"] as? [String: Any])?["performed"] as? [Any])?.isEmpty == true, "a plan performs nothing")
    }
}
