/// A usage or configuration mistake (exit code 2): bad flag, bad policy file, missing recipe.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
