/// A registry failure, in words that name the registry and reference, never a credential.
public struct RegistryError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case invalid, unauthorized, denied, rateLimited = "rate_limited", network, timeout, tls, protocolError = "protocol"
    }
    public let kind: Kind
    public let message: String
    /// RateLimit-* and Retry-After headers of a 429, as sent.
    public var rateLimit: [(String, String)] = []
    public var status: Int?

    public init(kind: Kind, message: String, rateLimit: [(String, String)] = [], status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.rateLimit = rateLimit
        self.status = status
    }

    public var description: String { message }
}
