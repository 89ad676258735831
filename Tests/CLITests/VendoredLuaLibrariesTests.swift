import Foundation
import Testing

/// Pure-Lua libraries vendored in a recipe's lua_modules/ (the LuaRocks tree layout) work
/// under `unidesk run` exactly as under lua5.4: Debian's lua-penlight, lua-inspect and
/// lua-dkjson (scripts/install-deps installs them), copied into a temp recipe.
@Suite("vendored Lua libraries in lua_modules/")
struct VendoredLuaLibrariesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/vendored")
    static let tree = "lua_modules/share/lua/5.4"

    /// A recipe directory holding the fixture scripts and, in lua_modules/, the Debian
    /// packages' files (symlinks resolved: Debian links 5.4's files to 5.1's).
    private func recipe() throws -> TempDir {
        let dir = try TempDir(prefix: "unidesk-vendored")
        let fm = FileManager.default
        for file in try fm.contentsOfDirectory(atPath: Self.fixtures.path) where file.hasSuffix(".lua") {
            try fm.copyItem(atPath: Self.fixtures.appendingPathComponent(file).path, toPath: dir.path(file))
        }
        try fm.createDirectory(atPath: dir.path(Self.tree), withIntermediateDirectories: true)
        for entry in ["pl", "inspect.lua", "dkjson.lua"] {
            guard let source = ["5.4", "5.3", "5.1"].map({ "/usr/share/lua/\($0)/\(entry)" })
                .first(where: { fm.fileExists(atPath: $0) }) else {
                throw VendoredError.missing("/usr/share/lua/5.*/\(entry) is missing: run scripts/install-deps (lua-penlight, lua-inspect, lua-dkjson)")
            }
            try copyResolved(source, to: dir.path("\(Self.tree)/\(entry)"))
        }
        return dir
    }

    private func copyResolved(_ source: String, to target: String) throws {
        let fm = FileManager.default
        let real = URL(fileURLWithPath: source).resolvingSymlinksInPath().path
        var isDir: ObjCBool = false
        _ = fm.fileExists(atPath: real, isDirectory: &isDir)
        if isDir.boolValue {
            try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
            for name in try fm.contentsOfDirectory(atPath: real) {
                try copyResolved("\(real)/\(name)", to: "\(target)/\(name)")
            }
        } else {
            try fm.copyItem(atPath: real, toPath: target)
        }
    }

    enum VendoredError: Error, CustomStringConvertible {
        case missing(String)
        var description: String { if case .missing(let m) = self { return m }; return "" }
    }

    /// What lua5.4 prints for `script` run in `dir`, its LUA_PATH the same lua_modules/ tree.
    private func stockLua(_ script: String, in dir: TempDir) throws -> (Int32, String) {
        let process = Process()
        guard let lua = ["/usr/bin/lua5.4", "/usr/local/bin/lua5.4"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw VendoredError.missing("lua5.4 is missing: run scripts/install-deps")
        }
        process.executableURL = URL(fileURLWithPath: lua)
        process.arguments = [script]
        process.currentDirectoryURL = dir.url
        process.environment = ["LUA_PATH": "./\(Self.tree)/?.lua;./\(Self.tree)/?/init.lua", "LUA_CPATH": ""]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("pl.tablex, pl.List, pl.stringx, pl.pretty, pl.utils, pl.template, pl.compat: as lua5.4 prints them",
          arguments: ["penlight.lua", "inspect_dkjson.lua"])
    func sameOutputAsStockLua(script: String) throws {
        let dir = try recipe()
        defer { dir.remove() }
        let (status, expected) = try stockLua(script, in: dir)
        #expect(status == 0, "lua5.4 \(script) failed: \(expected)")
        #expect(expected.split(separator: "\n").count > 8, "lua5.4 printed too little: \(expected)")
        let result = try Unidesk.run(["run", script, "--no-color"], in: dir.url)
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout == expected, "unidesk:\n\(result.stdout)\nlua5.4:\n\(expected)")
    }

    @Test("pl.path needs os: require fails with Lua's error naming the file and the global")
    func penlightPathFailsClearly() throws {
        let dir = try recipe()
        defer { dir.remove() }
        let result = try Unidesk.run(["run", "penlight_path.lua", "--no-color"], in: dir.url)
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout == "false\t\(Self.tree)/pl/path.lua:17: attempt to index a nil value (global 'os')\n", "\(result.summary)")
    }

    @Test("the recipe's own file wins over lua_modules/, and require returns the file it loaded")
    func recipeFilesFirst() throws {
        let dir = try recipe()
        defer { dir.remove() }
        try dir.write("inspect.lua", "return 'the recipe\\'s own'\n")
        try dir.write("main.lua", "local m, file = require 'inspect'\nlocal j, jfile = require 'dkjson'\nprint(m, file, type(j), jfile)\n")
        let result = try Unidesk.run(["run", "main.lua", "--no-color"], in: dir.url)
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout == "the recipe's own\t./inspect.lua\ttable\t./\(Self.tree)/dkjson.lua\n", "\(result.summary)")
    }

    @Test("unidesk check: a recipe using vendored libraries is clean; their own globals and requires are not reported")
    func checkSkipsVendoredLibrariesGlobals() throws {
        let dir = try recipe()
        defer { dir.remove() }
        try dir.write("recipe.lua", "local tablex = require 'pl.tablex'\nlocal json = require 'dkjson'\nprint(tablex.size({}), json.encode({}))\n")
        let result = try Unidesk.run(["check", "recipe.lua"], in: dir.url)
        #expect(result.exitCode == 0, "\(result.summary)")
        try dir.write("lua_modules/share/lua/5.4/broken.lua", "return {\n")
        try dir.write("uses_broken.lua", "require 'broken'\n")
        let broken = try Unidesk.run(["check", "uses_broken.lua"], in: dir.url)
        #expect(broken.exitCode == 2, "\(broken.summary)")
        #expect(broken.stderr.contains("lua_modules/share/lua/5.4/broken.lua:"), "\(broken.summary)")
    }
}
