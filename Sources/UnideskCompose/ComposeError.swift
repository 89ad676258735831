/// A failure of the engine or of compose, sorted into what a recipe branches on.
public struct ComposeError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The image could not be pulled (missing tag, registry down, denied).
        case pullFailed = "pull_failed"
        /// The new container never became healthy, or exited.
        case unhealthy
        /// No engine answers at DOCKER_HOST.
        case engineUnreachable = "engine_unreachable"
        /// compose refused or failed; `stderr` holds the tail of what it said.
        case composeError = "compose_error"
        case timeout
        /// Bad input caught before running anything.
        case invalid
    }

    public var kind: Kind
    public var message: String
    /// The last lines compose or docker wrote to stderr.
    public var stderr: String?
    /// unhealthy: the container as it was last seen, with its health output.
    public var container: ContainerState?

    public init(_ kind: Kind, _ message: String, stderr: String? = nil) {
        self.kind = kind
        self.message = message
        self.stderr = stderr
    }

    public var description: String { message }
}
