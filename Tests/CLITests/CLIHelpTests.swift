import Foundation
import Testing

/// What `--help` and `version` tell a user.
@Suite("CLI help and version")
struct CLIHelpTests {
    private func run(_ args: [String]) throws -> CLIResult {
        try Unidesk.run(args, in: FileManager.default.temporaryDirectory)
    }

    @Test("unidesk --help documents every exit code, 0 to 5")
    func topHelp() throws {
        let result = try run(["--help"])
        #expect(result.exitCode == 0, "\(result.summary)")
        let lines = (result.stdout + result.stderr).split(separator: "\n")
        for code in 0...5 {
            let documented = lines.contains { line in
                let words = line.split(separator: " ")
                return words.count >= 2 && words[0] == "\(code)"
            }
            #expect(documented, "no help line starts with exit code \(code). \(result.summary)")
        }
    }

    @Test("unidesk run --help mentions --timeout, --allow and --report")
    func runHelp() throws {
        let result = try run(["run", "--help"])
        #expect(result.exitCode == 0, "\(result.summary)")
        for flag in ["--timeout", "--allow", "--report"] {
            #expect((result.stdout + result.stderr).contains(flag), "\(flag) missing. \(result.summary)")
        }
    }

    @Test("unidesk version exits 0 and names itself")
    func version() throws {
        let result = try run(["version"])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout.contains("unidesk"), "\(result.summary)")
    }
    @Test("--version and version print the same line")
    func versionsAgree() throws {
        let flag = try run(["--version"]), command = try run(["version"])
        #expect(flag.exitCode == 0 && command.exitCode == 0, "\(flag.summary)\n\(command.summary)")
        #expect(flag.stdout == command.stdout, "\(flag.summary)\n\(command.summary)")
        #expect(flag.stdout.hasPrefix("unidesk "), "\(flag.summary)")
    }

    @Test("unidesk completion SHELL prints a completion script", arguments: ["bash", "zsh", "fish"])
    func completion(_ shell: String) throws {
        let result = try run(["completion", shell])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout.contains("unidesk"), "\(result.summary)")
        #expect(result.stdout.contains("check"), "subcommands should complete. \(result.summary)")
    }

    @Test("completion is a documented subcommand: in the top-level help and the README")
    func completionDocumented() throws {
        let help = try run(["--help"])
        #expect(help.stdout.contains("completion"), "\(help.summary)")
        let bad = try run(["completion", "tcsh"])
        #expect(bad.exitCode == 2, "\(bad.summary)")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("unidesk completion bash"))
        #expect(readme.contains("unidesk doc http.get"))
    }
}
