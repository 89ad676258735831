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
}
