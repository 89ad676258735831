import Foundation

/// The world one escape case runs in, built fresh in a temp dir:
///
///     ROOT/recipe/CASE.lua           the case (its directory is what unidesk.fs may read)
///     ROOT/recipe/etc_link        -> /etc
///     ROOT/recipe/passwd_link     -> /etc/passwd
///     ROOT/recipe/outside_link    -> ROOT/outside
///     ROOT/recipe/sub/helper.lua     a legitimate module
///     ROOT/recipe/private/key.txt    PRIVATE-KEY-DATA (for deny rules on reads)
///     ROOT/outside.txt, ROOT/outside/secret.txt   OUTSIDE-CONTENT (must never be read)
///     ROOT/state/                    --state-dir; state/outside_link -> ROOT/outside
///     ROOT/out/report.json, ROOT/out/junit.xml
///
/// `${ROOT}` in a case's args is the root's path.
struct EscapeFixture {
    static let outsideText = "OUTSIDE-CONTENT"
    let root: TempDir

    init(for escapeCase: EscapeCase) throws {
        root = try TempDir(prefix: "unidesk-escape-\(escapeCase.name)")
        let fm = FileManager.default
        try root.write("recipe/\(escapeCase.name).lua", escapeCase.source)
        try root.write("recipe/sub/helper.lua", "return { ok = true }\n")
        try root.write("recipe/private/key.txt", "PRIVATE-KEY-DATA\n")
        try root.write("outside.txt", Self.outsideText + "\n")
        try root.write("outside/secret.txt", Self.outsideText + "\n")
        try root.write("outside.lua", "print('OUTSIDE-CODE-RAN')\n")
        try fm.createDirectory(atPath: root.path("state"), withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root.path("out"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: root.path("recipe/etc_link"), withDestinationPath: "/etc")
        try fm.createSymbolicLink(atPath: root.path("recipe/passwd_link"), withDestinationPath: "/etc/passwd")
        try fm.createSymbolicLink(atPath: root.path("recipe/outside_link"), withDestinationPath: root.path("outside"))
        try fm.createSymbolicLink(atPath: root.path("state/outside_link"), withDestinationPath: root.path("outside"))
    }

    var reportPath: String { root.path("out/report.json") }
    var junitPath: String { root.path("out/junit.xml") }

    func run(_ c: EscapeCase) throws -> CLIResult {
        let args = [c.command, "\(c.name).lua",
                    "--state-dir", root.path("state"),
                    "--report", reportPath, "--junit", junitPath, "--no-color"]
            + c.arguments.map { $0.replacingOccurrences(of: "${ROOT}", with: root.url.path) }
        return try Unidesk.run(args, in: root.url.appendingPathComponent("recipe"),
                               environment: c.environment, hardTimeout: c.within + 10)
    }

    func text(at path: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) }
    }

    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: root.path(relative))
    }

    func remove() { root.remove() }
}
