import LuaRuntime
import UnideskFiles

/// Where `require(name)` finds a module: `unidesk.*` in the stdlib or among the host
/// libraries; any other name along package.path inside the recipe's directory (its own
/// files, then lua_modules/), and nowhere else.
struct ModuleFinder {
    let libraries: [String]
    let recipeDirectory: ConfinedDirectory
    /// Reads a module's source from the recipe's directory; the session routes it through
    /// the gate (capability fs.read:<path>), so deny rules apply to require as well.
    let read: (ConfinedDirectory, String) throws -> [UInt8]

    init(libraries: [String], recipeDirectory: ConfinedDirectory,
         read: @escaping (ConfinedDirectory, String) throws -> [UInt8] = { dir, path in try dir.read(path) }) {
        self.libraries = libraries
        self.recipeDirectory = recipeDirectory
        self.read = read
    }

    /// What require returns without a search: the standard libraries and `package`.
    static let builtinModules: Set<String> = ["_G", "string", "table", "math", "utf8", "coroutine", "package"]

    var knownUnideskModules: [String] {
        Array(Set(libraries.map { "unidesk.\($0)" } + Stdlib.moduleNames)).sorted()
    }

    /// (kind, source, chunkname, library[, filename]) as the prelude's require and its Lua
    /// searcher expect, or (nil, message[, true when the file was refused as outside]).
    /// Recipe modules are searched along `path` (package.path). Throws only when the policy
    /// denies reading the module.
    func find(_ name: String, path: String = ModuleFinder.defaultPath) throws -> [LuaValue] {
        let validName = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }
            && !name.hasPrefix(".") && !name.hasSuffix(".") && !name.contains("..")
        guard validName else {
            return [.nil, .string("module name '\(name)' is invalid (letters, digits, '_', '-' and '.' separators only)")]
        }
        if name.hasPrefix("unidesk.") {
            let short = String(name.dropFirst("unidesk.".count))
            let lib = libraries.contains(short) ? LuaValue.string(short) : .nil
            let rel = "unidesk/" + short.replacingOccurrences(of: ".", with: "/") + ".lua"
            if !short.split(separator: ".").contains(where: { $0.hasPrefix("_") }), let source = Stdlib.source(rel) {
                return [.string("stdlib"), .string(source), .string("@stdlib/\(rel)"), lib]
            }
            if case .string = lib { return [.string("host"), .nil, .nil, lib] }
            return [.nil, .string("module '\(name)' not found (unidesk modules: \(knownUnideskModules.joined(separator: ", ")))")]
        }
        return try search(name, path: path)
    }

    /// The default `package.path`: the recipe's own files, then a LuaRocks tree in
    /// lua_modules/ (`luarocks --tree lua_modules install …`). Relative to the recipe's
    /// directory, whatever the working directory.
    static let defaultPath = "./?.lua;./?/init.lua;./lua_modules/share/lua/5.4/?.lua;./lua_modules/share/lua/5.4/?/init.lua"

    /// Why `path` cannot be a `package.path`, or nil: every template must stay inside the
    /// recipe's directory (relative, no `..` component).
    static func pathProblem(_ path: String) -> String? {
        for template in path.split(separator: ";", omittingEmptySubsequences: false) where !template.isEmpty {
            if template.hasPrefix("/") || template.hasPrefix("~") {
                return "package.path template '\(template)' is absolute; templates are relative to the recipe's directory (e.g. './lib/?.lua')"
            }
            if template.split(separator: "/").contains("..") {
                return "package.path template '\(template)' has a '..' component; templates must stay inside the recipe's directory"
            }
            if template.contains("\0") { return "package.path template has a NUL byte" }
        }
        return nil
    }

    /// The recipe-relative path of `filename` when it exists inside the recipe's directory;
    /// nil when it does not, or when it would leave the directory (absolute, `..`). A
    /// symlink leading outside counts as found only when `refusedToo`, so that require
    /// reports the refusal instead of a mere "not found".
    private func existing(_ filename: String, refusedToo: Bool) -> String? {
        guard let relative = try? RelativePath.normalize(filename), relative != "." else { return nil }
        do { return try recipeDirectory.exists(relative) ? relative : nil }
        catch { return refusedToo && error.kind == .outside ? relative : nil }
    }

    /// package.searchpath as Lua 5.4 does it, confined: `sep` in `name` becomes `rep`, each
    /// template's `?` becomes the name, and the first file inside the recipe's directory
    /// wins. (filename as the template spells it, recipe-relative path) or the stock message.
    func searchPath(_ name: String, path: String, sep: String = ".", rep: String = "/", refusedToo: Bool = false) -> (String, String)? {
        let name = sep.isEmpty ? name : name.replacingOccurrences(of: sep, with: rep)
        for template in path.split(separator: ";", omittingEmptySubsequences: false) {
            let filename = template.replacingOccurrences(of: "?", with: name)
            if Self.pathProblem(String(template)) == nil, let relative = existing(filename, refusedToo: refusedToo) { return (filename, relative) }
        }
        return nil
    }

    /// Lua 5.4's "no file '…'" list for a search that found nothing.
    static func notFoundMessage(_ name: String, path: String, sep: String = ".", rep: String = "/") -> String {
        let name = sep.isEmpty ? name : name.replacingOccurrences(of: sep, with: rep)
        return "no file '" + path.replacingOccurrences(of: "?", with: name).replacingOccurrences(of: ";", with: "'\n\tno file '") + "'"
    }

    /// A recipe module along `path`: ("recipe", source bytes, chunkname, nil, filename) or
    /// (nil, the stock "no file" list). Throws when the policy denies reading it.
    func search(_ name: String, path: String) throws -> [LuaValue] {
        if let problem = Self.pathProblem(path) { return [.nil, .string(problem)] }
        guard let (filename, relative) = searchPath(name, path: path, refusedToo: true) else {
            return [.nil, .string(Self.notFoundMessage(name, path: path))]
        }
        do {
            let bytes = try read(recipeDirectory, relative)
            return [.string("recipe"), .bytes(bytes), .string("@\(relative)"), .nil, .string(filename)]
        } catch let error as FileAccessError {
            if error.kind == .outside { return [.nil, .string("module '\(name)': \(error.message)"), .bool(true)] }
            return [.nil, .string(Self.notFoundMessage(name, path: path))]
        }
    }
}
