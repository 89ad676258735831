import Foundation
import Testing
@testable import UnideskCore
import UnideskTestSupport

/// Every exit code the CLI can return is listed where the docs list exit codes: the table of
/// docs/sandbox.md, the report's `status` values in docs/reports.md and the README's line.
/// A code added to `ExitCode` (6, drift, for `unidesk apply`) fails here until it is documented.
@Suite struct ExitCodeDocsTests {
    static var codes: [ExitCode] { (0...255).compactMap { ExitCode(rawValue: Int32($0)) } }

    static func read(_ path: String) throws -> String {
        try String(contentsOfFile: "\(repositoryRoot)/\(path)", encoding: .utf8)
    }

    @Test func sandboxDocListsEveryExitCode() throws {
        let rows = try Self.read("docs/sandbox.md").components(separatedBy: "\n").filter { $0.hasPrefix("| ") }
        for code in Self.codes {
            #expect(rows.contains { $0.hasPrefix("| \(code.rawValue) | ") }, "docs/sandbox.md's exit code table has no row for \(code.rawValue) (\(code.status))")
        }
    }

    @Test func reportsDocListsEveryStatus() throws {
        let text = try Self.read("docs/reports.md")
        for code in Self.codes {
            let listed = text.contains("`\(code.status)` (\(code.rawValue)")
            #expect(listed, "docs/reports.md does not list the status `\(code.status)` (\(code.rawValue))")
        }
    }

    @Test func readmeListsEveryExitCode() throws {
        let readme = try Self.read("README.md")
        let start = try #require(readme.range(of: "Exit codes: "), "README.md has no 'Exit codes:' line")
        let paragraph = String(readme[start.lowerBound...]).components(separatedBy: "\n\n")[0]
            .replacingOccurrences(of: "\n", with: " ")
        for code in Self.codes {
            let listed = paragraph.contains("Exit codes: \(code.rawValue) ") || paragraph.contains("· \(code.rawValue) ")
            #expect(listed, "README.md's exit codes do not list \(code.rawValue) (\(code.status)): \(paragraph)")
        }
    }
}
