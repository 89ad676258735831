/// The one spelling of a relative path: `./a//b/` → `a/b`. Policy scopes are formed from it,
/// so a deny rule cannot be dodged by writing the same path another way.
public enum RelativePath {
    public static func normalize(_ path: String, root: String = "the directory") throws(FileAccessError) -> String {
        func refuse(_ why: String) -> FileAccessError {
            FileAccessError(kind: .outside, path: path,
                            message: "path '\(path)' refused: \(why) (only paths inside \(root) are allowed)")
        }
        guard !path.isEmpty else { throw refuse("an empty path") }
        guard !path.hasPrefix("/") else { throw refuse("an absolute path") }
        guard !path.contains("\0") else { throw refuse("a NUL byte") }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        guard !parts.contains("..") else { throw refuse("a '..' component") }
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
