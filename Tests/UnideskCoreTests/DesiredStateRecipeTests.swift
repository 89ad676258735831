import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData

/// recipes/desired-state as a user runs it: `plan` shows its one write and performs none,
/// `run` writes the summary, `--var strict=true` fails on drift, a broken file names the problem.
@Suite struct DesiredStateRecipeTests {
    func copy(_ desired: String? = nil) throws -> TempRecipe {
        let src = "\(repositoryRoot)/recipes/desired-state"
        var files: [String: String] = [:]
        for f in ["recipe.lua", "rows.lua", "desired.yaml"] { files[f] = try String(contentsOfFile: "\(src)/\(f)", encoding: .utf8) }
        if let desired { files["desired.yaml"] = desired }
        return try TempRecipe(files)
    }

    func run(_ t: TempRecipe, _ mode: RunMode = .run, vars: [(String, String)] = []) throws -> RunReport {
        var o = EngineOptions()
        o.mode = mode
        o.color = false
        o.timeout = 20
        o.stateDirectory = t.state
        o.vars = vars
        try o.policy.add(allow: ["fs.write:desired-state/*"], deny: [])
        return Engine(options: o, libraries: Libraries.all).run(recipePath: "\(t.dir)/recipe.lua")
    }

    @Test func planWritesNothingAndRunWritesTheSummary() throws {
        let t = try copy()
        let summary = "\(t.state)/desired-state/summary.json"
        let planned = try run(t, .plan(offline: false))
        #expect(planned.exitCode == .ok, "\(planned.error?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: summary), "plan performed the write")
        #expect(planned.audit.contains { $0.capability == "fs.write:desired-state/summary.json" && $0.outcome == .planned }, "plan shows the write it would do: \(planned.audit.map(\.capability))")

        let r = try run(t)
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        let doc = try JSON.decode(String(contentsOfFile: summary, encoding: .utf8))
        guard case .array(let rows)? = doc["rows"], case .array(let problems)? = doc["problems"] else { Issue.record("summary: \(doc)"); return }
        #expect(rows.count == 5)
        #expect(problems == [.string("mdtodo/dev runs 9c0ffee, desired a41d9e0")])
        #expect(Dictionary(uniqueKeysWithValues: r.outputs)["drifted"] == .int(1))
    }

    @Test func strictFailsOnDriftAndABrokenFileSaysWhatIsMissing() throws {
        let t = try copy()
        let strict = try run(t, vars: [("strict", "true")])
        #expect(strict.exitCode == .recipeFailed)
        #expect(strict.error?.message.contains("1 environment(s) drift from the desired commit") == true, "\(strict.error?.message ?? "")")

        let broken = try copy("services:\n  - name: web\n    envs: { dev: { image_tag: abc } }\n")
        let r = try run(broken)
        #expect(r.exitCode == .recipeFailed)
        #expect(r.error?.message.contains("web: 'desired_commit' missing") == true, "\(r.error?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: "\(broken.state)/desired-state/summary.json"), "nothing written for a broken file")
    }
}
