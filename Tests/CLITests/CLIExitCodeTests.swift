import Foundation
import Testing

/// The documented exit codes, one situation each, through the real binary.
@Suite("CLI exit codes")
struct CLIExitCodeTests {
    @Test("0: a trivial recipe runs and prints to stdout")
    func okRecipe() throws {
        let r = try RecipeRun(#"print("hello from the recipe")"#)
        defer { r.remove() }
        let result = try r.run()
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout.contains("hello from the recipe"), "\(result.summary)")
    }

    @Test("1: an uncaught error names the message and recipe.lua:LINE")
    func uncaughtError() throws {
        let r = try RecipeRun("local ready = false\nerror(\"disk is full\")\n")
        defer { r.remove() }
        let result = try r.run()
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(result.stderr.contains("disk is full"), "\(result.summary)")
        #expect(result.stderr.contains("recipe.lua:2"), "\(result.summary)")
    }

    @Test("1: unidesk.fail names the message and recipe.lua:LINE")
    func unideskFail() throws {
        let r = try RecipeRun("local ready = false\nunidesk.fail(\"the deploy broke\")\n")
        defer { r.remove() }
        let result = try r.run()
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(result.stderr.contains("the deploy broke"), "\(result.summary)")
        #expect(result.stderr.contains("recipe.lua:2"), "the location should be the recipe's line, not the stdlib's. \(result.summary)")
    }

    @Test("2: a missing recipe file")
    func missingFile() throws {
        let r = try RecipeRun("")
        defer { r.remove() }
        let result = try Unidesk.run(["run", "no-such-recipe.lua"], in: r.dir.url)
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(result.stderr.contains("no-such-recipe.lua"), "\(result.summary)")
    }

    @Test("2: an unknown flag")
    func unknownFlag() throws {
        let r = try RecipeRun("print('must not run')")
        defer { r.remove() }
        let result = try r.run("run", ["--no-such-flag"])
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(result.stderr.contains("--no-such-flag"), "\(result.summary)")
        #expect(!result.stdout.contains("must not run"), "\(result.summary)")
    }

    @Test("2: a syntax error names file:line and runs nothing")
    func syntaxError() throws {
        let r = try RecipeRun("print('must not run')\nlocal x = = 2\n")
        defer { r.remove() }
        let result = try r.run()
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(result.stderr.contains("recipe.lua:2"), "\(result.summary)")
        #expect(!result.stdout.contains("must not run"), "\(result.summary)")
    }

    @Test("2: --var without '='")
    func badVar() throws {
        let r = try RecipeRun("print('must not run')")
        defer { r.remove() }
        let result = try r.run("run", ["--var", "novalue"])
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(result.stderr.contains("novalue"), "\(result.summary)")
        #expect(!result.stdout.contains("must not run"), "\(result.summary)")
    }

    @Test("3: a write without a grant is denied and nothing is written")
    func deniedWrite() throws {
        let r = try RecipeRun(#"require("unidesk.fs").write("out/result.txt", "data")"#)
        defer { r.remove() }
        let result = try r.run()
        #expect(result.exitCode == 3, "\(result.summary)")
        #expect(result.stderr.contains("denied"), "\(result.summary)")
        #expect(result.stderr.contains("fs.write:out/result.txt"), "\(result.summary)")
        #expect(r.stateFiles.isEmpty, "state dir holds \(r.stateFiles)")
    }

    @Test("4: the deadline stops a busy loop on time")
    func deadline() throws {
        let r = try RecipeRun("while true do end")
        defer { r.remove() }
        let result = try r.run("run", ["--timeout", "1"], hardTimeout: 15)
        #expect(result.exitCode == 4, "\(result.summary)")
        #expect(result.stderr.contains("deadline"), "\(result.summary)")
        #expect(result.seconds < 2.5, "\(result.summary)")
    }
}
