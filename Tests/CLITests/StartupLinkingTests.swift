import Foundation
import Testing

/// What `unidesk` loads at start-up (docs/benchmarks.md, cold start): Lua is linked in, and
/// libcurl, libpq, libcrypto and libedit (the REPL's) are opened on first use (Sources/CLazyLibs), so none of them
/// is a NEEDED entry of the binary, and a recipe that touches neither the network, a database
/// nor a digest never opens them; one that does gets them.
@Suite struct StartupLinkingTests {
    @Test func heavyLibrariesAreNotNeededAtStartUp() throws {
        let binary = try Unidesk.binary()
        let dir = try TempDir(prefix: "unidesk-linking")
        defer { dir.remove() }
        let readelf = try Unidesk.capture(URL(fileURLWithPath: "/usr/bin/readelf"), ["-d", binary.path], in: dir.url, environment: [:], hardTimeout: 30)
        #expect(readelf.exitCode == 0, "\(readelf.summary)")
        let needed = readelf.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }.map(String.init)
        #expect(!needed.isEmpty)
        for library in ["libcurl", "libpq", "libcrypto", "libssl", "liblua", "libedit"] {
            #expect(!needed.contains { $0.contains(library) }, "\(library) is a NEEDED entry: \(needed)")
        }
    }

    /// The dynamic loader says which objects it opens (LD_DEBUG=files), dlopen's included.
    @Test func librariesAreOpenedOnlyWhenUsed() throws {
        let dir = try TempDir(prefix: "unidesk-linking")
        defer { dir.remove() }
        try dir.write("idle.lua", "print(require('unidesk.json').encode({ok = true}))\n")
        try dir.write("network.lua", """
            pcall(require("unidesk.http").get, "http://127.0.0.1:9/")   -- nothing listens on port 9
            pcall(require("unidesk.pg").connect, "host=127.0.0.1 port=9 dbname=x connect_timeout=1")
            print(require("unidesk.registry") ~= nil)
            """)
        let idle = try Unidesk.run(["run", "idle.lua", "--no-color"], in: dir.url, environment: ["LD_DEBUG": "files"])
        #expect(idle.exitCode == 0, "\(idle.summary)")
        #expect(idle.stderr.contains("file="), "LD_DEBUG printed nothing: \(idle.summary)")
        for library in ["libcurl.so", "libpq.so", "libcrypto.so", "libedit.so"] {
            #expect(!idle.stderr.contains("file=\(library)"), "\(library) opened by a recipe that used none of it")
        }
        let used = try Unidesk.run(["run", "network.lua", "--no-color"], in: dir.url, environment: ["LD_DEBUG": "files"])
        #expect(used.exitCode == 0, "\(used.summary)")
        for library in ["libcurl.so", "libpq.so"] {
            #expect(used.stderr.contains("file=\(library)"), "\(library) not opened at its first use: \(used.stderr.suffix(3000))")
        }
    }
}
