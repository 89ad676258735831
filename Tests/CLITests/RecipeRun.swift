import Foundation

/// A temp directory holding `recipe.lua` and an empty `state/`, for one CLI test. The
/// recipe runs with that directory as its working directory, so messages say `recipe.lua:N`.
struct RecipeRun {
    let dir: TempDir

    init(_ source: String, base: URL = FileManager.default.temporaryDirectory) throws {
        dir = try TempDir(prefix: "unidesk-cli", base: base)
        try dir.write("recipe.lua", source)
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
    }

    var state: String { dir.path("state") }
    var report: String { dir.path("report.json") }
    var junit: String { dir.path("junit.xml") }

    /// `unidesk <command> recipe.lua --state-dir state/ <extra…>`
    func run(_ command: String = "run", _ extra: [String] = [], environment: [String: String] = [:], hardTimeout: Double = 30) throws -> CLIResult {
        try Unidesk.run([command, "recipe.lua", "--state-dir", state] + extra, in: dir.url, environment: environment, hardTimeout: hardTimeout)
    }

    /// Every file under state/, relative to it.
    var stateFiles: [String] {
        (FileManager.default.enumerator(atPath: state)?.allObjects as? [String] ?? [])
            .filter { !isDirectory(dir.path("state/\($0)")) }
            .sorted()
    }

    /// The --report file parsed as a JSON object (nil when missing or not an object).
    var reportJSON: [String: Any]? {
        guard let data = FileManager.default.contents(atPath: report) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    func remove() { dir.remove() }

    private func isDirectory(_ path: String) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &d) && d.boolValue
    }
}
