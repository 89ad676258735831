import Foundation
import Testing

/// `unidesk repl` with piped input: exit codes, help, and the session commands, end to end.
@Suite("CLI: repl with piped input")
struct ReplPipedTests {
    func repl(_ input: String, _ flags: [String] = [], in dir: TempDir? = nil) throws -> CLIResult {
        let scratch = try dir ?? TempDir(prefix: "unidesk-repl-piped")
        defer { if dir == nil { scratch.remove() } }
        return try Unidesk.run(["repl", "--no-color", "--state-dir", scratch.path("state")] + flags, in: scratch.url,
                                      environment: ["XDG_STATE_HOME": scratch.path("xdg")], input: input)
    }

    @Test("the exit code is the first failed input's: 0, 1 error, 2 syntax or usage, 3 denied (even caught), 4 limit",
          arguments: [
            ("=1\n", Int32(0)),
            ("error('x')\n1 +* 2\n", 1),
            ("1 +* 2\nerror('x')\n", 2),
            (":nosuch\n", 2),
            ("function f(\n", 2),
            ("fs = require 'unidesk.fs'\nok = pcall(fs.write, 'a.txt', 'b')\nerror('later')\n", 3),
            ("while true do end\n=1\n", 4),
          ])
    func exitCodes(input: String, code: Int32) throws {
        let r = try repl(input, ["--timeout", "1"])
        #expect(r.exitCode == code, "\(r.summary)")
    }

    @Test("?NAME, :help NAME and help(value) print the reference `unidesk doc NAME` prints")
    func help() throws {
        let dir = try TempDir(prefix: "unidesk-repl-help")
        defer { dir.remove() }
        let doc = try Unidesk.run(["doc", "kube.apply"], in: dir.url)
        #expect(doc.exitCode == 0 && doc.stdout.contains("Effect: **write**"))
        for input in ["?kube.apply\n", ":help kube.apply\n", "kube = require 'unidesk.kube'\nhelp(kube.apply)\n"] {
            let r = try repl(input, in: dir)
            #expect(r.exitCode == 0 && r.stdout.trimmingCharacters(in: .newlines) == doc.stdout.trimmingCharacters(in: .newlines),
                    "\(input): \(r.summary)")
        }
        let unknown = try repl("help(42)\n?nosuch\n", in: dir)
        #expect(unknown.exitCode == 0 && unknown.stdout.isEmpty, "\(unknown.summary)")
        #expect(unknown.stderr.contains("not a unidesk primitive or module") && unknown.stderr.contains("no reference for 'nosuch'"), "\(unknown.summary)")
    }
}
