import LuaRuntime
import UnideskFiles

/// Where `require(name)` finds a module: `unidesk.*` in the stdlib or among the host
/// libraries; any other name in the recipe's directory, and nowhere else.
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

    var knownUnideskModules: [String] {
        Array(Set(libraries.map { "unidesk.\($0)" } + Stdlib.moduleNames)).sorted()
    }

    /// (kind, source, chunkname, library) as the prelude's require expects, or (nil, message).
    /// Throws only when the policy denies reading the module.
    func find(_ name: String) throws -> [LuaValue] {
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
        let base = name.replacingOccurrences(of: ".", with: "/")
        var refused: String?
        for candidate in ["\(base).lua", "\(base)/init.lua"] where (try? recipeDirectory.exists(candidate)) != false {
            do {
                let bytes = try read(recipeDirectory, candidate)
                return [.string("recipe"), .string(String(decoding: bytes, as: UTF8.self)), .string("@\(candidate)"), .nil]
            } catch let error as FileAccessError {
                if error.kind == .outside { refused = error.message }
            }
        }
        if let refused { return [.nil, .string("module '\(name)': \(refused)")] }
        return [.nil, .string("module '\(name)' not found: no '\(base).lua' or '\(base)/init.lua' in the recipe's directory")]
    }
}
