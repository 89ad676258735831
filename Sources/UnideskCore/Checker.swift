import Foundation
import LuaRuntime
import UnideskFiles

/// `unidesk check`: compiles recipes without running them and reports syntax errors and
/// requires that cannot resolve.
public struct Checker {
    public let libraries: [HostLibrary]

    public init(libraries: [HostLibrary]) { self.libraries = libraries }

    /// Problems of one file, each "file:line: message"; empty when the file is fine.
    public func check(path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            return ["\(path): cannot read the file"]
        }
        let source = String(decoding: data, as: UTF8.self)
        var problems: [String] = []
        do {
            let lua = try LuaState(memoryLimit: 64 << 20)
            defer { lua.close() }
            if let e = lua.compileError(source, chunkName: "@" + path) { problems.append(e.message) }
        } catch {
            return ["\(path): cannot start the Lua sandbox: \(error)"]
        }
        let dir = (path as NSString).deletingLastPathComponent
        guard let confined = try? ConfinedDirectory(root: dir.isEmpty ? "." : dir) else { return problems }
        let finder = ModuleFinder(libraries: libraries.map(\.name), recipeDirectory: confined)
        for (line, name) in Self.requires(in: source) {
            let found = (try? finder.find(name)) ?? [.nil, .string("module '\(name)' cannot be read")]
            if case .nil = found.first ?? .nil {
                problems.append("\(path):\(line): \(found.count > 1 ? found[1].stringValue ?? "" : "module '\(name)' not found")")
            }
        }
        return problems
    }

    /// `require "x"` / `require("x")` / `require 'x'` with a literal name, and its line.
    static func requires(in source: String) -> [(Int, String)] {
        guard let re = try? NSRegularExpression(pattern: #"(?<![\w.:])require\s*\(?\s*(["'])([^"'\n]+)\1"#) else { return [] }
        let ns = source as NSString
        var out: [(Int, String)] = []
        for m in re.matches(in: source, range: NSRange(location: 0, length: ns.length)) {
            let name = ns.substring(with: m.range(at: 2))
            let line = ns.substring(to: m.range.location).reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            if !Self.insideComment(ns, at: m.range.location) { out.append((line, name)) }
        }
        return out
    }

    private static func insideComment(_ s: NSString, at location: Int) -> Bool {
        let lineStart = s.lineRange(for: NSRange(location: location, length: 0)).location
        return s.substring(with: NSRange(location: lineStart, length: location - lineStart)).contains("--")
    }
}
