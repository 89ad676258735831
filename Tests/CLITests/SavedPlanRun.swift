import Foundation
import Testing

/// A saved plan's round trip through the real binary, in a `RecipeRun`'s directory:
/// `plan recipe.lua --out plan.json`, other recipes run on the same state in between
/// (the world changing behind the plan's back), then `apply plan.json`.
extension RecipeRun {
    var planFile: String { dir.path("plan.json") }

    /// `unidesk plan recipe.lua --out plan.json --state-dir state/ <extra…>`
    func planOut(_ extra: [String], environment: [String: String] = [:]) throws -> CLIResult {
        try Unidesk.run(["plan", "recipe.lua", "--out", "plan.json", "--state-dir", state] + extra,
                        in: dir.url, environment: environment, hardTimeout: 60)
    }

    /// `unidesk apply plan.json --state-dir state/ --report report.json <extra…>`
    func apply(_ extra: [String], environment: [String: String] = [:]) throws -> CLIResult {
        try? FileManager.default.removeItem(atPath: report)
        return try Unidesk.run(["apply", "plan.json", "--state-dir", state, "--report", report] + extra,
                               in: dir.url, environment: environment, hardTimeout: 60)
    }

    /// `unidesk show plan.json <extra…>`
    func show(_ extra: [String] = []) throws -> CLIResult {
        try Unidesk.run(["show", "plan.json"] + extra, in: dir.url)
    }

    /// Writes `source` as `name` beside the recipe and runs it on the same state: another
    /// run changing what the plan saw. Fails the test unless it exits 0.
    func runOther(_ name: String, _ source: String, _ extra: [String], environment: [String: String] = [:],
                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        try dir.write(name, source)
        let r = try Unidesk.run(["run", name, "--state-dir", state] + extra, in: dir.url, environment: environment, hardTimeout: 60)
        #expect(r.exitCode == 0, "\(name): \(r.summary)", sourceLocation: sourceLocation)
    }

    /// The plan file's text ("" when there is none).
    var planText: String { (try? String(contentsOfFile: planFile, encoding: .utf8)) ?? "" }

    /// The plan file parsed as a JSON object.
    var planJSON: [String: Any]? {
        guard let data = FileManager.default.contents(atPath: planFile) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// The report's `apply` section of the last `apply`.
    var applied: [String: Any]? { reportJSON?["apply"] as? [String: Any] }

    /// A state value as stored (its JSON text, trimmed), or nil when the key is not set.
    func stored(_ key: String) -> String? {
        (try? String(contentsOfFile: dir.path("state/state/\(key).json"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
