import Foundation
import LuaRuntime
import UnideskFiles

/// `unidesk check`: compiles recipes without running them, follows their `require`s into
/// the recipe's own modules, and reports syntax errors, requires that cannot resolve
/// (errors) and globals the sandbox does not define (warnings, as luacheck reports them).
public final class Checker {
    public struct Problem: CustomStringConvertible {
        public enum Severity { case error, warning }
        public let severity: Severity
        /// "file:line: message".
        public let text: String
        public var description: String { text }
    }

    public let libraries: [HostLibrary]
    private let sandbox: [String: Set<String>?]
    /// Modules already checked (by path): a helper many recipes require is reported once.
    private var checkedModules: Set<String> = []

    public init(libraries: [HostLibrary]) throws {
        self.libraries = libraries
        sandbox = try SandboxGlobals.read(libraries: libraries)
    }

    /// Every `recipe.lua` and `*_test.lua` below `directory` (hidden directories skipped),
    /// sorted: what `unidesk check DIR` checks.
    public static func files(under directory: String) -> [String] {
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var found: [String] = []
        while let rel = walker.nextObject() as? String {
            let name = (rel as NSString).lastPathComponent
            if name.hasPrefix(".") {
                if (walker.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory { walker.skipDescendants() }
                continue
            }
            if name == "recipe.lua" || name.hasSuffix("_test.lua") { found.append(base == "." ? rel : "\(base)/\(rel)") }
        }
        return found.sorted()
    }

    /// Problems of one recipe or test file and of the recipe modules it requires; empty
    /// when all is fine.
    public func check(path: String) -> [Problem] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return [Problem(severity: .error, text: "\(path): no such file")]
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            return [Problem(severity: .error, text: "\(path): cannot read the file")]
        }
        let dir = (path as NSString).deletingLastPathComponent
        let directory = dir.isEmpty ? "." : dir
        guard let confined = try? ConfinedDirectory(root: directory) else {
            return [Problem(severity: .error, text: "\(path): cannot open its directory \(directory)")]
        }
        let finder = ModuleFinder(libraries: libraries.map(\.name), recipeDirectory: confined)
        return check(source: String(decoding: data, as: UTF8.self), shownAs: path, directory: directory, finder: finder, requiredAt: nil)
    }

    private func check(source: String, shownAs path: String, directory: String, finder: ModuleFinder, requiredAt: String?,
                       vendored: Bool = false) -> [Problem] {
        if let syntax = compileError(source, chunkName: "@" + path) {
            return [Problem(severity: .error, text: syntax + (requiredAt.map { " (required at \($0))" } ?? ""))]
        }
        // A library vendored in lua_modules/ is someone else's code: it must compile, but its
        // globals and the requires it may never reach at run time (lfs in pl.path) are its own.
        if vendored { return [] }
        let scan = GlobalScanner.scan(source, sandbox: sandbox)
        var problems = scan.findings.map { Problem(severity: .warning, text: "\(path):\($0.line): \($0.message)") }
        for (line, name) in scan.requires where !ModuleFinder.builtinModules.contains(name) {
            let found = (try? finder.find(name)) ?? [.nil, .string("module '\(name)' cannot be read")]
            guard case .string(let kind) = found.first ?? .nil else {
                var message = found.count > 1 ? found[1].stringValue ?? "" : "module '\(name)' not found"
                if message.hasPrefix("no file ") {
                    message = "module '\(name)' not found: " + message.replacingOccurrences(of: "\n\t", with: ", ")
                }
                problems.append(Problem(severity: .error, text: "\(path):\(line): \(message)"))
                continue
            }
            // The recipe's own modules resolve against the recipe's directory, whoever requires them.
            guard kind == "recipe", found.count > 2, let moduleSource = found[1].stringValue,
                  let chunk = found[2].stringValue else { continue }
            let rel = String(chunk.dropFirst())   // "@lib/helper.lua"
            let modulePath = directory == "." ? rel : "\(directory)/\(rel)"
            guard checkedModules.insert(modulePath).inserted else { continue }
            problems += check(source: moduleSource, shownAs: modulePath, directory: directory, finder: finder,
                              requiredAt: "\(path):\(line)", vendored: rel.hasPrefix("lua_modules/"))
        }
        return problems
    }

    private func compileError(_ source: String, chunkName: String) -> String? {
        do {
            let lua = try LuaState(memoryLimit: 64 << 20)
            defer { lua.close() }
            return lua.compileError(source, chunkName: chunkName)?.message
        } catch {
            return "\(chunkName.dropFirst()): cannot start the Lua sandbox: \(error)"
        }
    }
}
