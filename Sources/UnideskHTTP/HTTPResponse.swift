/// A response: status, headers (names lower-cased, in order), body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The body was cut at the request's maxBodyBytes.
    public var truncated: Bool
    /// "1.1", "2"
    public var httpVersion: String
    public var seconds: Double

    /// The first value of a header (case-insensitive name).
    public func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.first { $0.0 == n }?.1
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request produced no response.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case network, timeout, tls, protocolError = "protocol", invalidRequest = "invalid"
    }
    public let kind: Kind
    public let message: String
    public var description: String { message }
}
