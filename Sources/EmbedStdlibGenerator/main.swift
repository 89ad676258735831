import CLuaShim
import Foundation

// Build-time generator run by the EmbedStdlib plugin: writes the Lua sources under
// <stdlib dir> into one Swift file as raw string literals, so `unidesk` carries its stdlib
// inside the binary (no files beside it) and stdlib/ stays the only copy in the repository;
// and the prelude's bytecode, compiled here by the same statically linked Lua that runs it, so
// a run does not compile it at start-up (modules are compiled when a recipe requires them:
// the sandbox's load takes no binary chunk). A syntax error in the prelude fails the build.
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

/// Bytecode as a string literal of ASCII: a printable byte other than the quote and the
/// backslash as itself, any other as a \u{XX} escape, which Stdlib.bytecode turns back into that byte.
func bytecodeLiteral(_ bytes: [UInt8]) -> String {
    var out = "\""
    for b in bytes {
        if b >= 0x20 && b <= 0x7e && b != 0x22 && b != 0x5c { out.unicodeScalars.append(Unicode.Scalar(b)) }
        else { out += "\\u{" + String(b, radix: 16) + "}" }
    }
    return out + "\""
}

struct CompileError: Error { let message: String }

func bytecode(_ text: String, chunkName: String) throws -> [UInt8] {
    var text = text
    var error = [CChar](repeating: 0, count: 512)
    var length = 0
    let compiled = text.withUTF8 { b in
        b.withMemoryRebound(to: CChar.self) { ud_compile_to_bytecode($0.baseAddress, $0.count, chunkName, &length, &error, error.count) }
    }
    guard let compiled else { throw CompileError(message: String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
    defer { free(compiled) }
    return Array(UnsafeBufferPointer(start: compiled, count: length))
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
    lines += ["    ]", "",
              "    /// Path relative to stdlib/ → its bytecode (chunk name @stdlib/PATH, line info kept).",
              "    static let bytecode: [String: StaticString] = ["]
    let compiled = files.filter { $0.0 == "unidesk/_prelude.lua" }
    for (relative, text) in compiled {
        lines.append("        \"\(relative)\": \(bytecodeLiteral(try bytecode(text, chunkName: "@stdlib/" + relative))),")
    }
    if compiled.isEmpty { lines.append("        :") }
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
