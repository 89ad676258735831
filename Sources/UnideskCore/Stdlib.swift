import Foundation

/// The Lua standard library of unidesk (stdlib/unidesk/*.lua), embedded in the binary.
/// UNIDESK_STDLIB_DIR points at a source tree's stdlib/ instead, for stdlib development.
enum Stdlib {
    static func source(_ relativePath: String) -> String? {
        if let dir = ProcessInfo.processInfo.environment["UNIDESK_STDLIB_DIR"], !dir.isEmpty {
            return FileManager.default.contents(atPath: "\(dir)/\(relativePath)").map { String(decoding: $0, as: UTF8.self) }
        }
        return EmbeddedStdlib.files[relativePath]
    }

    /// Public module names ("unidesk.semver"), without the private `_`-prefixed files.
    static var moduleNames: [String] {
        EmbeddedStdlib.files.keys
            .filter { $0.hasPrefix("unidesk/") && !$0.hasPrefix("unidesk/_") }
            .map { "unidesk." + $0.dropFirst("unidesk/".count).dropLast(".lua".count).replacingOccurrences(of: "/", with: ".") }
            .sorted()
    }
}
