import Foundation
import UnideskData
import UnideskFiles

extension SavedPlan {
    /// The plan of a finished `plan --out` run.
    static func make(recipe: String, session: Session, options: EngineOptions, exitCode: ExitCode) -> SavedPlan {
        let salt = session.gate.digestSalt
        let dir = session.context.recipeDirectory
        var paths = [(recipe as NSString).lastPathComponent]
        for r in session.auditRecords where r.outcome == .ok && r.effect == .localRead
            && (r.primitive == "unidesk.fs.read" || r.primitive == "unidesk.fs.lines") {
            if let p = r.target?.stringValue { paths.append(p) }
        }
        paths += session.gate.recipeFilesUsed
        var seen = Set<String>()
        let files = paths.filter { seen.insert($0).inserted }.map { p in
            RecipeFile(path: p, digest: fileDigest(dir, p, salt: salt) ?? "missing")
        }
        return SavedPlan(salt: salt, recipe: recipe, files: files,
                         vars: options.vars.map { ($0.0, varValue($0.1, redactor: session.redactor, salt: salt)) },
                         policy: policyJSON(options.policy), exitCode: exitCode, offline: options.mode.isOfflinePlan,
                         calls: session.auditRecords.filter { $0.effect != .pure }.sorted { $0.sequence < $1.sequence }.map { PlanCall($0) })
    }

    /// Why apply must not start, checked before the recipe runs (so before any effect):
    /// usage (exit 2) for a plan that cannot be applied or one made with other vars or
    /// grants; drift (exit 6) when the recipe or a file it read changed.
    func refusal(options: EngineOptions, redactor: Redactor, recipeDirectory dir: ConfinedDirectory) -> (ExitCode, String)? {
        if let why = notApplicable { return (.usage, "this plan cannot be applied: \(why)") }
        if unideskVersion != UnideskVersion.string {
            return (.usage, "the plan was made by unidesk \(unideskVersion); this is \(UnideskVersion.string): plan again with the unidesk that applies")
        }
        if !options.vars.isEmpty, let diff = varsDiff(options.vars, redactor: redactor) {
            return (.usage, "the vars differ from the plan's: \(diff); apply takes the plan's vars (give none, or exactly the same)")
        }
        let policyNow = Self.policyJSON(options.policy)
        if !DriftCheck.same(Self.sortedLists(policyNow), Self.sortedLists(policy)) {
            return (.usage, "the grants in force differ from the plan's: plan \(Self.compact(policy)), now \(Self.compact(policyNow)); apply with the same --allow/--deny/--policy/--env/--secret-env as the plan (a plan file grants nothing by itself)")
        }
        for f in files {
            let now = Self.fileDigest(dir, f.path, salt: salt) ?? "missing"
            if now != f.digest {
                return (.drift, "drift: \(f.path) \(now == "missing" ? "is gone" : "changed") since the plan (the recipe and every file it read must be what was reviewed); plan again")
            }
        }
        return nil
    }

    /// How `given` differs from the plan's vars, or nil when it does not. A value the plan
    /// keeps as a digest (it held a secret) matches the value with that digest, and is
    /// never printed.
    func varsDiff(_ given: [(String, String)], redactor: Redactor) -> String? {
        let p = Dictionary(vars, uniquingKeysWith: { $1 }), n = Dictionary(given, uniquingKeysWith: { $1 })
        func matches(_ planned: String, _ now: String) -> Bool {
            planned == now || planned == "<secret \(Digest.sha256(salt + Array(now.utf8)))>"
        }
        let lines = Set(p.keys).union(n.keys).sorted().compactMap { k -> String? in
            if let a = p[k], let b = n[k], matches(a, b) { return nil }
            let shownNow = n[k].map { p[k]?.hasPrefix("<secret ") == true ? "another value" : "'\(redactor.scrub($0))'" } ?? "unset"
            return "\(k): plan \(p[k].map { "'\($0)'" } ?? "unset"), now \(shownNow)"
        }
        return lines.isEmpty ? nil : lines.joined(separator: "; ")
    }

    /// The policy with each list sorted: the order grants are given in does not change them.
    static func sortedLists(_ d: DataValue) -> DataValue {
        guard case .object(let f) = d else { return d }
        return .object(f.map { k, v in
            (k, .array((v.arrayValue ?? []).compactMap(\.stringValue).sorted().map { .string($0) }))
        })
    }

    static func compact(_ d: DataValue) -> String { d.canonicalJSON ?? "?" }
}
