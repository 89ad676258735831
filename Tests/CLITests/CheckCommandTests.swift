import Foundation
import Testing

/// `unidesk check` through the real binary: it follows requires, reports globals the
/// sandbox lacks, accepts directories; exit 0 fine, 1 warnings, 2 errors.
@Suite("unidesk check")
struct CheckCommandTests {
    private func check(_ files: [String: String], _ arguments: [String]) throws -> (CLIResult, TempDir) {
        let dir = try TempDir(prefix: "unidesk-check")
        for (path, text) in files { try dir.write(path, text) }
        return (try Unidesk.run(["check"] + arguments, in: dir.url), dir)
    }

    @Test("0: a clean recipe and the module it requires")
    func cleanRecipe() throws {
        let (result, dir) = try check([
            "recipe.lua": "local helper = require \"lib.helper\"\nlocal json = require \"unidesk.json\"\nprint(helper.greet(), json)\n",
            "lib/helper.lua": "local M = {}\nfunction M.greet() return 'hi' end\nreturn M\n",
        ], ["recipe.lua"])
        defer { dir.remove() }
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout.contains("recipe.lua: ok"), "\(result.summary)")
    }

    @Test("2: a syntax error in a required module names the module's file:line")
    func syntaxErrorInRequiredModule() throws {
        let (result, dir) = try check([
            "recipe.lua": "local helper = require \"lib.helper\"\nprint(helper)\n",
            "lib/helper.lua": "local M = {}\nfunction M.greet( return 'hi' end\nreturn M\n",
        ], ["recipe.lua"])
        defer { dir.remove() }
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(result.stderr.contains("lib/helper.lua:2:"), "\(result.summary)")
        #expect(result.stderr.contains("required at recipe.lua:1"), "\(result.summary)")
    }

    @Test("2: a module required by a module is followed too")
    func nestedRequire() throws {
        let (result, dir) = try check([
            "recipe.lua": "require 'lib.a'\n",
            "lib/a.lua": "return require('lib.b')\n",
            "lib/b.lua": "return {\n",
        ], ["recipe.lua"])
        defer { dir.remove() }
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(result.stderr.contains("lib/b.lua:"), "\(result.summary)")
    }

    @Test("2: a require that cannot resolve")
    func unresolvableRequire() throws {
        let (result, dir) = try check(["recipe.lua": "local x = require 'lib.missing'\nprint(x)\n"], ["recipe.lua"])
        defer { dir.remove() }
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(result.stderr.contains("recipe.lua:1: module 'lib.missing' not found"), "\(result.summary)")
    }

    @Test("1: io.open, os and debug.getinfo are undefined, with their line, in the recipe and in its modules")
    func undefinedGlobals() throws {
        let (result, dir) = try check([
            "recipe.lua": "local fs = require 'unidesk.fs'\nrequire 'lib.out'\nlocal io_like = fs\nio.open('a')\nos.exit(1)\nprint(io_like)\n",
            "lib/out.lua": "return function() debug.getinfo(1) end\n",
        ], ["recipe.lua"])
        defer { dir.remove() }
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(result.stderr.contains("recipe.lua:4: undefined field 'io.open'"), "\(result.summary)")
        #expect(result.stderr.contains("recipe.lua:5: undefined global 'os'"), "\(result.summary)")
        #expect(result.stderr.contains("lib/out.lua:1: undefined field 'debug.getinfo'"), "\(result.summary)")
    }

    @Test("0: a directory stands for every recipe.lua and *_test.lua below it")
    func directory() throws {
        let (result, dir) = try check([
            "app/recipe.lua": "print('app')\n",
            "app/deploy_test.lua": "print('test')\n",
            "other/recipe.lua": "print('other')\n",
            "other/notes.lua": "this is not lua and not checked\n",
            ".hidden/recipe.lua": "neither is this (\n",
        ], ["."])
        defer { dir.remove() }
        #expect(result.exitCode == 0, "\(result.summary)")
        for f in ["app/recipe.lua", "app/deploy_test.lua", "other/recipe.lua"] {
            #expect(result.stdout.contains("\(f): ok"), "\(f) not checked. \(result.summary)")
        }
        #expect(!result.stdout.contains("notes.lua") && !result.stdout.contains(".hidden"), "\(result.summary)")
    }

    @Test("2: a directory with a broken recipe below it")
    func directoryWithError() throws {
        let (result, dir) = try check(["a/recipe.lua": "print('fine')\n", "b/recipe.lua": "local x = = 1\n"], ["."])
        defer { dir.remove() }
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(result.stderr.contains("b/recipe.lua:1:"), "\(result.summary)")
    }

    @Test("2: a directory without recipes says so")
    func emptyDirectory() throws {
        let (result, dir) = try check(["notes.txt": "x"], ["."])
        defer { dir.remove() }
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(result.stderr.contains("no recipe.lua or *_test.lua"), "\(result.summary)")
    }

    @Test("the recipes shipped in recipes/ check clean")
    func shippedRecipes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = try Unidesk.run(["check", "recipes"], in: root)
        #expect(result.exitCode == 0, "\(result.summary)")
    }

    @Test("check --help documents the exit codes")
    func help() throws {
        let result = try Unidesk.run(["check", "--help"], in: FileManager.default.temporaryDirectory)
        #expect(result.stdout.contains("0  every file is fine"), "\(result.summary)")
        #expect(result.stdout.contains("2  a syntax error"), "\(result.summary)")
    }

    @Test("run: a syntax error in a required module exits 2, as one in the recipe does")
    func runWithBrokenModule() throws {
        let r = try RecipeRun("print('started')\nlocal helper = require 'lib.helper'\nprint(helper)\n")
        defer { r.remove() }
        try r.dir.write("lib/helper.lua", "local M = {\nreturn M\n")
        let result = try r.run()
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(result.stderr.contains("lib/helper.lua:2:"), "\(result.summary)")
        #expect(result.stderr.contains("required at recipe.lua:2"), "\(result.summary)")
    }
}
