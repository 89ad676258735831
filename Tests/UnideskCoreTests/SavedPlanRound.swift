import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings

/// `unidesk plan RECIPE --out FILE` then `unidesk apply FILE`, in process and as the commands
/// do it: the plan is written to a file and loaded back from it, apply runs the path the plan
/// names with the same options (grants, vars, environment) in perform mode.
struct SavedPlanRound {
    let plan: RunReport
    let saved: SavedPlan
    let apply: RunReport

    /// `options`: as for `unidesk run`. `between` runs after the plan, before apply.
    static func run(_ options: EngineOptions, recipe: String, between: () throws -> Void = {},
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> SavedPlanRound {
        let file = NSTemporaryDirectory() + "unidesk-plan-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        var p = options
        p.mode = .plan(offline: false)
        p.planOutPath = file
        let plan = Engine(options: p, libraries: Libraries.all).run(recipePath: recipe)
        try #require(plan.exitCode == .ok, "plan: \(plan.exitCode) \(plan.error?.message ?? "")", sourceLocation: sourceLocation)
        let saved = try SavedPlan.load(path: file)
        try between()
        var a = options
        a.mode = .run
        a.applying = saved
        return SavedPlanRound(plan: plan, saved: saved, apply: Engine(options: a, libraries: Libraries.all).run(recipePath: saved.recipe))
    }

    /// The plan's writes, in order, outside unidesk.volatile.
    var planned: [String] { saved.writes.filter { !$0.volatile }.map(\.capability) }

    /// The writes apply performed outside unidesk.volatile, in the order they began.
    var performed: [String] {
        apply.audit.filter { $0.effect == .write && !$0.volatile && $0.outcome == .ok }.sorted { $0.sequence < $1.sequence }.map(\.capability)
    }

    /// Apply ended ok and performed exactly what the plan listed: no drift, nothing unreached.
    func expectExactlyThePlan(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(apply.exitCode == .ok, "apply: \(apply.exitCode) \(apply.error?.message ?? "")", sourceLocation: sourceLocation)
        #expect(performed == planned, "performed \(performed), planned \(planned)", sourceLocation: sourceLocation)
        #expect(apply.apply?.drift == nil && apply.apply?.unreached.isEmpty == true && apply.apply?.performed == planned.count,
                "\(String(describing: apply.apply?.json))", sourceLocation: sourceLocation)
    }
}
