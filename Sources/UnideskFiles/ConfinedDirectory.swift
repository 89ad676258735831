import Foundation

/// Read access to one directory tree and nothing outside it: relative paths only, no `..`
/// component, and every symlink on the way must resolve inside the root.
public struct ConfinedDirectory: Sendable {
    /// The root, with symlinks resolved.
    public let root: String
    /// How messages name the root: "the recipe's directory", "the state directory".
    public let description: String

    public init(root: String, description: String = "the recipe's directory") throws(FileAccessError) {
        guard let resolved = Self.realpath(root) else {
            throw FileAccessError(kind: .notFound, path: root, message: "directory '\(root)' does not exist")
        }
        self.root = resolved
        self.description = description
    }

    /// Resolves `path` to an absolute path inside the root (the file itself may not exist).
    public func resolve(_ path: String) throws(FileAccessError) -> String {
        let normalized = try RelativePath.normalize(path, root: description)
        let joined = normalized == "." ? root : root + "/" + normalized
        // Resolve symlinks of the longest existing prefix; what does not exist yet cannot
        // be a symlink.
        var existing = joined
        var rest: [Substring] = []
        while Self.realpath(existing) == nil {
            guard let slash = existing.lastIndex(of: "/"), existing.count > root.count else { break }
            rest.insert(existing[existing.index(after: slash)...], at: 0)
            existing = String(existing[..<slash])
        }
        guard let real = Self.realpath(existing) else { throw refused(path, "an unresolvable path") }
        guard real == root || real.hasPrefix(root + "/") else {
            throw refused(path, "a symlink that leads outside the directory")
        }
        return rest.isEmpty ? real : real + "/" + rest.joined(separator: "/")
    }

    public func read(_ path: String) throws(FileAccessError) -> [UInt8] {
        let full = try resolve(path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir) else {
            throw FileAccessError(kind: .notFound, path: path, message: "no such file: '\(path)'")
        }
        guard !isDir.boolValue else {
            throw FileAccessError(kind: .isDirectory, path: path, message: "'\(path)' is a directory; use list()")
        }
        guard let data = FileManager.default.contents(atPath: full) else {
            throw FileAccessError(kind: .io, path: path, message: "cannot read '\(path)'")
        }
        return [UInt8](data)
    }

    public func exists(_ path: String) throws(FileAccessError) -> Bool {
        FileManager.default.fileExists(atPath: try resolve(path))
    }

    /// Entry names of a directory, sorted.
    public func list(_ path: String) throws(FileAccessError) -> [String] {
        let full = try resolve(path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir) else {
            throw FileAccessError(kind: .notFound, path: path, message: "no such directory: '\(path)'")
        }
        guard isDir.boolValue else {
            throw FileAccessError(kind: .notDirectory, path: path, message: "'\(path)' is not a directory")
        }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: full)
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        } catch {
            throw FileAccessError(kind: .io, path: path, message: "cannot list '\(path)'")
        }
    }

    private func refused(_ path: String, _ why: String) -> FileAccessError {
        FileAccessError(kind: .outside, path: path,
                        message: "path '\(path)' refused: \(why) (only paths inside \(description) are allowed)")
    }

    static func realpath(_ path: String) -> String? {
        guard let p = Glibc.realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
