import Foundation
import Testing

/// `unidesk doc`: one entry in the terminal, and files written only where they belong.
@Suite("unidesk doc")
struct DocCommandTests {
    private func run(_ args: [String], in dir: URL = FileManager.default.temporaryDirectory) throws -> CLIResult {
        try Unidesk.run(args, in: dir)
    }

    @Test("doc http.get prints that primitive's reference alone")
    func primitive() throws {
        for name in ["http.get", "unidesk.http.get"] {
            let result = try run(["doc", name])
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(result.stdout.hasPrefix("## `unidesk.http.get("), "\(result.summary)")
            #expect(!result.stdout.contains("## `unidesk.http.head("), "\(result.summary)")
        }
        let step = try run(["doc", "step"])
        #expect(step.stdout.hasPrefix("## `unidesk.step("), "\(step.summary)")
    }

    @Test("doc kube prints the module's reference")
    func module() throws {
        let result = try run(["doc", "kube"])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdout.hasPrefix("# `unidesk.kube`"), "\(result.summary)")
        #expect(result.stdout.contains("## `unidesk.kube.apply("), "\(result.summary)")
    }

    @Test("2: doc of an unknown name lists the modules")
    func unknown() throws {
        let result = try run(["doc", "nosuch.thing"])
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(result.stderr.contains("no module or primitive named 'nosuch.thing'"), "\(result.summary)")
        #expect(result.stderr.contains("kube"), "\(result.summary)")
    }

    @Test("doc --out DIR writes there and nowhere else")
    func out() throws {
        let cwd = try TempDir(prefix: "unidesk-doc-cwd"), out = try TempDir(prefix: "unidesk-doc-out")
        defer { cwd.remove(); out.remove() }
        let result = try run(["doc", "--out", out.url.path], in: cwd.url)
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(FileManager.default.fileExists(atPath: out.path("docs/reference/README.md")), "\(result.summary)")
        #expect(FileManager.default.fileExists(atPath: out.path("stubs/unidesk.lua")), "\(result.summary)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cwd.url.path).isEmpty, "\(result.summary)")
    }

    /// A copy of the binary that lies in no checkout, as an installed one.
    private func installedCopy(in dir: TempDir) throws -> URL {
        let copy = dir.url.appendingPathComponent("unidesk")
        // Copied by a cp process, not in this one: a file written here is open for writing
        // in this process, and a child another test forks at that moment inherits the fd;
        // until that child execs, running the copy fails with ETXTBSY ("Text file busy").
        let cp = Process()
        cp.executableURL = URL(fileURLWithPath: "/bin/cp")
        cp.arguments = [try Unidesk.binary().path, copy.path]
        try cp.run()
        cp.waitUntilExit()
        #expect(cp.terminationStatus == 0, "cp of the binary failed")
        return copy
    }

    @Test("2: doc outside any checkout refuses and writes nothing")
    func refusesElsewhere() throws {
        let bin = try TempDir(prefix: "unidesk-doc-bin"), cwd = try TempDir(prefix: "unidesk-doc-cwd")
        defer { bin.remove(); cwd.remove() }
        let result = try Unidesk.run(["doc"], in: cwd.url, executable: try installedCopy(in: bin))
        #expect(result.exitCode == 2, "\(result.summary)")
        #expect(result.stderr.contains("--out DIR"), "\(result.summary)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cwd.url.path).isEmpty, "\(result.summary)")
    }

    @Test("doc run in a unidesk checkout writes that checkout's reference")
    func inACheckout() throws {
        let bin = try TempDir(prefix: "unidesk-doc-bin"), checkout = try TempDir(prefix: "unidesk-doc-checkout")
        defer { bin.remove(); checkout.remove() }
        try checkout.write("Package.swift", "// swift-tools-version:6.0\n")
        try checkout.write("stdlib/unidesk/json.lua", "return {}\n")
        let result = try Unidesk.run(["doc"], in: checkout.url, executable: try installedCopy(in: bin))
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(FileManager.default.fileExists(atPath: checkout.path("docs/reference/http.md")), "\(result.summary)")
    }
}
