/// A failure to decode or encode JSON/YAML, with the position in the input when known.
public struct DataCodecError: Error, Sendable, CustomStringConvertible {
    /// Human-readable message that already includes the position, when there is one.
    public let message: String
    /// 1-based line of the problem in the input, when known.
    public let line: Int?
    /// 1-based column (in Unicode scalars) of the problem in the input, when known.
    public let column: Int?

    /// Creates an error; `message` should be complete on its own since it is what users see.
    public init(_ message: String, line: Int? = nil, column: Int? = nil) {
        self.message = message
        self.line = line
        self.column = column
    }

    /// The message.
    public var description: String { message }
}
