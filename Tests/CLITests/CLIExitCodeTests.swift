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
    @Test("2: --max-memory 0 is refused (it used to remove the cap silently)")
    func zeroMemoryCap() throws {
        let r = try RecipeRun("print('must not run')")
        defer { r.remove() }
        let result = try r.run("run", ["--max-memory", "0"])
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(result.stderr.contains("--max-memory must be a positive number of MB"), "\(result.summary)")
        #expect(!result.stdout.contains("must not run"), "\(result.summary)")
    }

    @Test("2: a negative --timeout says what is wrong, in both spellings", arguments: [["--timeout", "-1"], ["--timeout=-1"], ["--max-memory", "-5"]])
    func negativeNumber(_ flags: [String]) throws {
        let r = try RecipeRun("print('must not run')")
        defer { r.remove() }
        let result = try r.run("run", flags)
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(!result.stderr.contains("Missing value"), "\(result.summary)")
        let flag = flags[0].hasPrefix("--timeout") ? "--timeout must be a positive number of seconds" : "--max-memory must be a positive number"
        #expect(result.stderr.contains(flag), "\(result.summary)")
    }

    @Test("2: a validation error shows the subcommand's usage, not the top level's", arguments: [["--timeout", "0"], ["--var", "novalue"]])
    func subcommandUsage(_ flags: [String]) throws {
        let r = try RecipeRun("print('must not run')")
        defer { r.remove() }
        for command in ["run", "plan"] {
            let result = try r.run(command, flags)
            #expect(result.exitCode == 2, "\(result.summary)")
            #expect(result.stderr.contains("Usage: unidesk \(command) "), "\(result.summary)")
            #expect(!result.stderr.contains("<subcommand>"), "\(result.summary)")
        }
    }

    @Test("2: an empty or quoted --allow names the fix without doubled quotes", arguments: ["", "'fs.write:reports/*'"])
    func quotedAllow(_ pattern: String) throws {
        let r = try RecipeRun("print('must not run')")
        defer { r.remove() }
        let result = try r.run("run", ["--allow", pattern])
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(!result.stderr.contains("''"), "\(result.summary)")
        #expect(result.stderr.contains(pattern.isEmpty ? "e.g. fs.write:out/*" : "write fs.write:reports/*"), "\(result.summary)")
    }

    @Test("2: run DIR says it is a directory and names DIR/recipe.lua")
    func runDirectory() throws {
        let r = try RecipeRun("print('must not run')")
        defer { r.remove() }
        let result = try Unidesk.run(["run", "."], in: r.dir.url)
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(result.stderr.contains("is a directory; give the recipe file: ./recipe.lua"), "\(result.summary)")
        #expect(!result.stderr.contains("no such file"), "\(result.summary)")
    }

    @Test("2: a recipe that is not there says no such file; one behind a directory it may not search says permission denied")
    func missingOrUnreachableRecipe() throws {
        let r = try RecipeRun("print('must not run')")
        defer { r.remove() }
        let missing = try Unidesk.run(["run", "nothing-here.lua"], in: r.dir.url)
        #expect(missing.exitCode == 2, "\(missing.summary)")
        #expect(missing.stderr.contains("cannot read recipe 'nothing-here.lua': no such file"), "\(missing.summary)")
        // As a container's user sees a directory mounted without search permission for it:
        // run as uid 65532 (root reads everything).
        guard getuid() == 0 else { return }
        try FileManager.default.createDirectory(atPath: r.dir.path("closed"), withIntermediateDirectories: true)
        try r.dir.write("closed/recipe.lua", "print('must not run')")
        chmod(r.dir.url.path, 0o755)
        chmod(r.dir.path("closed"), 0o700)
        let binary = try Unidesk.binary()
        let denied = try Unidesk.capture(URL(fileURLWithPath: "/usr/bin/setpriv"),
                                         ["--reuid", "65532", "--regid", "65532", "--clear-groups", binary.path, "run", "closed/recipe.lua", "--state-dir", "/tmp"],
                                         in: r.dir.url, environment: ["HOME": "/tmp"], hardTimeout: 30)
        #expect(denied.exitCode == 2, "\(denied.summary)")
        #expect(denied.stderr.contains("cannot read recipe 'closed/recipe.lua': permission denied"), "\(denied.summary)")
    }

    @Test("the README's example recipe passes with the README's command")
    func readmeExample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let recipe = try #require(readme.components(separatedBy: "```lua\n").dropFirst().first?.components(separatedBy: "```").first)
        let command = try #require(readme.split(separator: "\n").first { $0.hasPrefix("    unidesk run recipe.lua") })
        // The command's words, with the shell's single quotes removed.
        let words = command.split(separator: " ").map { String($0).replacingOccurrences(of: "'", with: "") }
        let r = try RecipeRun(recipe)
        defer { r.remove() }
        try r.dir.write("desired.yaml", "app: shop\nreplicas: 2\n")
        let result = try Unidesk.run(Array(words.dropFirst()) + ["--state-dir", r.state], in: r.dir.url)
        #expect(result.exitCode == 0, "\(words.joined(separator: " ")): \(result.summary)")
    }
}
