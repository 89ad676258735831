import Foundation

extension ComposeProject {
    /// A project argument the recipe got wrong: which field, and what to write instead.
    public struct ArgumentError: Error, Sendable, Equatable {
        public let field: String
        public let message: String
    }

    /// The compose files compose itself would pick in a project directory, in its order of
    /// preference; the first override file present is added after the base.
    static let baseNames = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"]
    static let overrideNames = ["compose.override.yaml", "compose.override.yml", "docker-compose.override.yaml", "docker-compose.override.yml"]

    /// The project a recipe names: `name` checked, `dir`'s compose.yaml (and its override)
    /// found when no `files` are given, each file checked to exist. `locate` turns a path
    /// the recipe gave into an absolute one, refusing (with its own error) what it may not
    /// use; `field` is "dir" or "file". Throws `ArgumentError` for bad input.
    public static func resolve(name: String, dir: String?, files: [String]?, environment: [String: String] = [:],
                               locate: (_ path: String, _ field: String) throws -> String) throws -> ComposeProject {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw ArgumentError(field: "project", message: "'\(name)' is not a compose project name (lower-case letters, digits, '-' and '_')")
        }
        var p = ComposeProject(name: name, environment: environment)
        let exists = { (path: String) in FileManager.default.fileExists(atPath: path) }
        if let dir {
            let d = try locate(dir, "dir")
            p.directory = d
            if files == nil {
                guard let base = baseNames.first(where: { exists("\(d)/\($0)") }) else {
                    throw ArgumentError(field: "dir", message: "no compose.yaml in '\(dir)'")
                }
                p.files = ["\(d)/\(base)"] + overrideNames.filter { exists("\(d)/\($0)") }.prefix(1).map { "\(d)/\($0)" }
            }
        }
        for f in files ?? [] {
            let path = try locate(f, "file")
            guard exists(path) else { throw ArgumentError(field: "files", message: "'\(f)' does not exist") }
            p.files.append(path)
        }
        return p
    }
}
