/// Why a file operation failed, in words for the recipe author.
public struct FileAccessError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case outside = "denied", notFound = "not_found", isDirectory = "is_directory",
             notDirectory = "not_directory", io = "io", noSpace = "no_space"
    }
    public let kind: Kind
    public let path: String
    public let message: String
    public var description: String { message }
}
