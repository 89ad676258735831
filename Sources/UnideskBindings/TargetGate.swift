import LuaRuntime
import UnideskCore
import UnideskData

/// One write that touches several targets at once (a snapshot of three volumes): one gate
/// check and one audit record per target, so a grant must cover each and the plan lists
/// each. Every target is checked before anything happens; when some are denied, each
/// denial is recorded and the first is raised (it names its target), and nothing is done.
/// Otherwise the calls are nested, the first target innermost, so `perform` (or `plan`)
/// runs once and every target's record carries its outcome.
enum TargetGate {
    struct Target {
        let scope: String
        /// What the plan says this target's part of the write does.
        let detail: String
    }

    /// `compare` and `basis` as `SpecGate.call` takes them, the same for every target.
    static func call(_ gate: SpecGate, targets: [Target], arguments: DataValue, compare: DataValue? = nil, verdict: Verdict,
                     basis: (() throws -> DataValue?)? = nil,
                     perform: () throws -> [LuaValue], plan: () throws -> [LuaValue]) throws -> [LuaValue] {
        precondition(!targets.isEmpty, "a write touches at least one target")
        let spec = gate.spec
        let denied = targets.filter { !gate.permits(scope: $0.scope) }
        if !denied.isEmpty {
            var first: Error?
            for t in denied {
                do {
                    _ = try gate.call(scope: t.scope, arguments: arguments,
                                      perform: { () throws -> [LuaValue] in throw HostError.message("\(spec.fullName): the policy changed during the call") },
                                      plan: { () throws -> Gate.Planned<[LuaValue]> in throw HostError.message("\(spec.fullName): the policy changed during the call") })
                } catch { first = first ?? error }
            }
            throw first!
        }
        func nested(_ k: Int) throws -> [LuaValue] {
            try gate.call(scope: targets[k].scope, arguments: arguments, compare: compare, basis: basis, perform: {
                k == 0 ? try perform() : try nested(k - 1)
            }, plan: {
                Gate.Planned(k == 0 ? try plan() : try nested(k - 1), detail: .string(targets[k].detail), verdict: verdict)
            })
        }
        return try nested(targets.count - 1)
    }
}
