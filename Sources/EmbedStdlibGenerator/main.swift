import Foundation

// Build-time generator run by the EmbedStdlib plugin: writes the Lua sources under
// <stdlib dir> into one Swift file as raw string literals, so `unidesk` carries its stdlib
// inside the binary (no files beside it) and stdlib/ stays the only copy in the repository.
// Usage: EmbedStdlibGenerator <stdlib dir> <output .swift>

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: EmbedStdlibGenerator <stdlib dir> <output.swift>\n".utf8))
    exit(2)
}
let root = URL(fileURLWithPath: arguments[1]).standardizedFileURL
let output = URL(fileURLWithPath: arguments[2])

/// Relative path ("unidesk/pg.lua") → source, for every .lua file under root.
func luaFiles(under root: URL) throws -> [(String, String)] {
    guard let walker = FileManager.default.enumerator(atPath: root.path) else {
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: root.path])
    }
    var files: [(String, String)] = []
    for case let relative as String in walker where relative.hasSuffix(".lua") {
        let text = try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
        files.append((relative, text))
    }
    return files.sorted { $0.0 < $1.0 }
}

/// A raw string literal that reproduces `text` exactly: enough `#` that no `"#…` inside
/// closes it, and a trailing newline because Swift drops the one before the delimiter.
func literal(_ text: String) -> String {
    var hashes = "#"
    while text.contains("\"" + hashes) { hashes += "#" }
    return "\(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)"
}

do {
    let files = try luaFiles(under: root)
    var lines = [
        "// generated at build time by the EmbedStdlib plugin from stdlib/ — not committed",
        "",
        "enum EmbeddedStdlib {",
        "    /// Path relative to stdlib/ → Lua source.",
        "    static let files: [String: String] = [",
    ]
    for (relative, text) in files { lines.append("        \"\(relative)\": \(literal(text)),") }
    if files.isEmpty { lines.append("        :") }
    lines += ["    ]", "}", ""]
    let swift = lines.joined(separator: "\n")
    // Rewrite only on change, so an unchanged stdlib does not recompile UnideskCore.
    if (try? String(contentsOf: output, encoding: .utf8)) != swift {
        try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        try swift.write(to: output, atomically: true, encoding: .utf8)
    }
} catch {
    FileHandle.standardError.write(Data("EmbedStdlibGenerator: \(error)\n".utf8))
    exit(1)
}
