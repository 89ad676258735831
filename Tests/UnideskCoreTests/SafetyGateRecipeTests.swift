import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings
import UnideskData

/// recipes/safety-gate end to end, with a real state directory.
@Suite struct SafetyGateRecipeTests {
    let recipe = "\(repositoryRoot)/recipes/safety-gate/recipe.lua"
    let state = NSTemporaryDirectory() + "unidesk-gate-\(UUID().uuidString.prefix(8))"

    func run(_ vars: [(String, String)]) -> RunReport {
        var o = EngineOptions()
        o.color = false
        o.stateDirectory = state
        o.vars = vars
        try? o.policy.add(allow: ["state.set:alerts/*"], deny: [])
        return Engine(options: o, libraries: Libraries.all).run(recipePath: recipe)
    }

    func alerts() -> [String] {
        (FileManager.default.enumerator(atPath: "\(state)/state/alerts")?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".json") }
    }

    @Test func holdsMajorBumpsAndManualMigrationsAndLetsPatchesThrough() throws {
        defer { try? FileManager.default.removeItem(atPath: state) }
        let patch = run([("app", "shop"), ("current", "1.4.2+15.4"), ("target", "1.4.3+15.5"), ("notes", "fixtures/notes-1.4.3.md")])
        #expect(patch.exitCode == .ok, "\(patch.error?.message ?? "")")
        #expect(alerts().isEmpty)

        let major = run([("app", "shop"), ("current", "1.4.2+15.4"), ("target", "1.4.3+16.0")])
        #expect(major.exitCode == .recipeFailed)
        #expect(major.error?.message.contains("held: major upgrade of the upstream version: 1.4.2+15.4 → 1.4.3+16.0") == true, "\(major.error?.message ?? "")")
        #expect(alerts().count == 1)

        let manual = run([("app", "shop"), ("current", "1.4.2+15.4"), ("target", "1.5.0+15.5"), ("notes", "fixtures/notes-1.5.0.md")])
        #expect(manual.exitCode == .recipeFailed)
        guard case .array(let reasons)? = manual.outputs.first(where: { $0.0 == "reasons" })?.1 else { Issue.record("no reasons"); return }
        #expect(reasons == [.string("release notes: Sessions move to a new table. This release requires a manual migration:")])
        #expect(alerts().count == 2)
        let held = try JSON.decode(String(contentsOfFile: "\(state)/state/alerts/\(alerts().sorted().last!)", encoding: .utf8))
        #expect(held["kind"] == .string("held") && held["attempted"] == .string("1.5.0+15.5") && held["last_good"] == .string("1.4.2+15.4"))

        let noCurrent = run([("app", "new-app"), ("target", "1.0.0")])
        #expect(noCurrent.error?.message.contains("no current version for new-app") == true)
    }
}
