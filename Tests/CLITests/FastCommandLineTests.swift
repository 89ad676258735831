import Foundation
import Testing

/// `unidesk run|plan|check` command lines are read without ArgumentParser when they are plainly
/// well-formed (Sources/unidesk/FastCommandLine.swift). Each case here runs twice, through the
/// fast path and with UNIDESK_ARGUMENT_PARSER=1, and both must print the same and exit the
/// same; every option `run --help` lists must appear in a case, so an option added later is
/// compared too.
@Suite struct FastCommandLineTests {
    static let recipe = """
        local fs = require("unidesk.fs")
        local time = require("unidesk.time")
        print("vars", unidesk.vars.a, unidesk.vars.b)
        local function env(name) local ok, v = pcall(unidesk.env, name) return ok and v or "-" end
        print("env", env("FOO"), env("SEC"))
        print("write", (pcall(fs.write, "out.txt", "x")))
        if unidesk.vars.sleep then time.sleep(5) end
        if unidesk.vars.grow then local t = {} for i = 1, 1e7 do t[i] = tostring(i) end end
        """

    /// Digits vary between two runs (durations, PIDs): compared as N.
    static func normalized(_ s: String) -> String {
        s.replacingOccurrences(of: #"[0-9]+"#, with: "N", options: .regularExpression)
    }

    struct Case: CustomStringConvertible {
        let command: String
        let arguments: [String]
        /// Whether the fast path is expected to read it (else ArgumentParser does).
        let fast: Bool
        var description: String { "\(command) \(arguments.joined(separator: " "))" }
    }

    static let cases: [Case] = [
        Case(command: "run", arguments: ["recipe.lua"], fast: true),
        Case(command: "run", arguments: ["recipe.lua", "--var", "a=1", "--var=b=x=y"], fast: true),
        Case(command: "run", arguments: ["--no-color", "recipe.lua", "--allow", "fs.write:*", "--deny", "fs.write:out.txt"], fast: true),
        Case(command: "run", arguments: ["recipe.lua", "--allow=fs.write:out.txt"], fast: true),
        Case(command: "run", arguments: ["recipe.lua", "--env", "FOO", "--secret-env", "SEC"], fast: true),
        Case(command: "run", arguments: ["recipe.lua", "--var", "sleep=1", "--timeout", "0.3"], fast: true),
        Case(command: "run", arguments: ["recipe.lua", "--var", "grow=1", "--max-memory=8"], fast: true),
        Case(command: "run", arguments: ["recipe.lua", "--report", "r.json", "--junit", "j.xml"], fast: true),
        Case(command: "run", arguments: ["recipe.lua", "--policy", "policy.yaml"], fast: true),
        Case(command: "run", arguments: ["recipe.lua", "--stop-grace", "3", "--state-dir", "elsewhere"], fast: true),
        Case(command: "run", arguments: ["recipe.lua", "--alert-sink", "webhook=http://127.0.0.1:9/hook"], fast: true),
        Case(command: "run", arguments: ["recipe.lua", "--alert-sink", "nonsense"], fast: true),
        Case(command: "run", arguments: ["recipe.lua", "--metrics-push", "http://127.0.0.1:9"], fast: true),
        Case(command: "run", arguments: ["recipe.lua", "--state-db", "postgresql://u@127.0.0.1:9/db?sslmode=bogus"], fast: true),
        Case(command: "run", arguments: ["recipe.lua", "--var", "novalue"], fast: true),
        Case(command: "plan", arguments: ["recipe.lua", "--offline", "--out", "plan.json"], fast: true),
        Case(command: "plan", arguments: ["recipe.lua", "--out=plan2.json", "--var", "a=2"], fast: true),
        Case(command: "check", arguments: ["recipe.lua", "policy.yaml"], fast: true),
        Case(command: "version", arguments: [], fast: true),
        Case(command: "version", arguments: ["--help"], fast: false),
        // Left to ArgumentParser, whose messages they get.
        Case(command: "run", arguments: [], fast: false),
        Case(command: "run", arguments: ["recipe.lua", "other.lua"], fast: false),
        Case(command: "run", arguments: ["recipe.lua", "--bogus"], fast: false),
        Case(command: "run", arguments: ["recipe.lua", "--timeout", "-1"], fast: false),
        Case(command: "run", arguments: ["recipe.lua", "--timeout", "0"], fast: false),
        Case(command: "run", arguments: ["recipe.lua", "--timeout", "soon"], fast: false),
        Case(command: "run", arguments: ["recipe.lua", "--timeout", "1", "--timeout", "2"], fast: false),
        Case(command: "run", arguments: ["recipe.lua", "--max-memory", "0"], fast: false),
        Case(command: "run", arguments: ["recipe.lua", "--var"], fast: false),
        Case(command: "run", arguments: ["recipe.lua", "--no-color=yes"], fast: false),
        Case(command: "run", arguments: ["recipe.lua", "-h"], fast: false),
        Case(command: "run", arguments: ["recipe.lua", "--help"], fast: false),
        Case(command: "run", arguments: ["recipe.lua", "--version"], fast: false),
        Case(command: "run", arguments: ["--", "recipe.lua"], fast: false),
        Case(command: "plan", arguments: ["recipe.lua", "--offline", "--offline"], fast: false),
        Case(command: "check", arguments: ["--help"], fast: false),
        Case(command: "check", arguments: [], fast: false),
    ]

    @Test(arguments: cases)
    func bothReadersAgree(_ c: Case) throws {
        let dir = try TempDir(prefix: "unidesk-fastargs")
        defer { dir.remove() }
        try dir.write("recipe.lua", Self.recipe)
        try dir.write("policy.yaml", "allow:\n  - fs.write:*\n")
        try FileManager.default.createDirectory(atPath: dir.path("elsewhere"), withIntermediateDirectories: true)
        let env = ["FOO": "foo", "SEC": "hunter2", "UNIDESK_STATE_DIR": dir.path("state")]
        let fast = try Unidesk.run([c.command] + c.arguments, in: dir.url, environment: env.merging(["UNIDESK_ARGUMENT_PARSER": "show"]) { $1 })
        let slow = try Unidesk.run([c.command] + c.arguments, in: dir.url, environment: env.merging(["UNIDESK_ARGUMENT_PARSER": "1"]) { $1 })
        let reader = c.fast ? "the fast path" : "ArgumentParser"
        #expect(fast.stderr.hasPrefix("unidesk: command line read by \(reader)\n"), "\(c): \(fast.summary)")
        let fastStderr = fast.stderr.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().joined()
        #expect(fast.exitCode == slow.exitCode, "\(c)\nfast: \(fast.summary)\nArgumentParser: \(slow.summary)")
        #expect(Self.normalized(fast.stdout) == Self.normalized(slow.stdout), "\(c)")
        #expect(Self.normalized(fastStderr) == Self.normalized(slow.stderr), "\(c)\nfast: \(fastStderr)\nArgumentParser: \(slow.stderr)")
        #expect(!fast.signalled && !slow.signalled)
        #expect(!fast.stderr.contains("hunter2") && !fast.stdout.contains("hunter2"))
    }

    /// Each run case whose options took effect shows it: the fast path did not drop them.
    @Test func optionsTakeEffect() throws {
        let dir = try TempDir(prefix: "unidesk-fastargs")
        defer { dir.remove() }
        try dir.write("recipe.lua", Self.recipe)
        let env = ["FOO": "foo", "SEC": "hunter2", "UNIDESK_STATE_DIR": dir.path("state"), "UNIDESK_ARGUMENT_PARSER": "show"]
        let r = try Unidesk.run(["run", "recipe.lua", "--var", "a=1", "--env", "FOO", "--secret-env", "SEC", "--allow", "fs.write:*",
                                 "--report", "r.json", "--no-color"], in: dir.url, environment: env)
        #expect(r.exitCode == 0, "\(r.summary)")
        #expect(r.stderr.hasPrefix("unidesk: command line read by the fast path\n"))
        #expect(r.stdout.contains("vars\t1\tnil"), "\(r.summary)")
        #expect(r.stdout.contains("env\tfoo\t"), "\(r.summary)")
        #expect(r.stdout.contains("write\ttrue"), "\(r.summary)")
        #expect(FileManager.default.fileExists(atPath: dir.path("r.json")))
        let t = try Unidesk.run(["run", "recipe.lua", "--var", "sleep=1", "--timeout", "0.3"], in: dir.url, environment: env)
        #expect(t.exitCode == 4, "\(t.summary)")
    }

    /// Every option of `run` appears in a fast-path case above, so none is left uncompared.
    @Test func everyRunOptionIsCompared() throws {
        let dir = try TempDir(prefix: "unidesk-fastargs")
        defer { dir.remove() }
        let help = try Unidesk.run(["run", "--experimental-dump-help"], in: dir.url)
        #expect(help.exitCode == 0, "\(help.summary)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(help.stdout.utf8)) as? [String: Any])
        let command = try #require(json["command"] as? [String: Any])
        let arguments = try #require(command["arguments"] as? [[String: Any]])
        let longNames = arguments.flatMap { ($0["names"] as? [[String: Any]] ?? []) }
            .filter { $0["kind"] as? String == "long" }.compactMap { $0["name"] as? String }
            .filter { !["help", "version"].contains($0) }
        #expect(longNames.count >= 16)
        let used = Set(Self.cases.filter(\.fast).flatMap(\.arguments).filter { $0.hasPrefix("--") }
            .map { String($0.dropFirst(2).prefix { $0 != "=" }) })
        for name in longNames {
            #expect(used.contains(name), "--\(name) of `unidesk run` is in no fast-path case of FastCommandLineTests")
        }
    }
}
