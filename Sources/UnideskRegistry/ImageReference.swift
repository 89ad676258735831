/// An image reference parsed like Docker's reference grammar:
/// `[host[:port]/]path[:tag][@digest]`, with Docker Hub defaults.
public struct ImageReference: Sendable, Equatable, CustomStringConvertible {
    /// Registry host as written ("127.0.0.1:5000", "docker.io").
    public let registry: String
    public let repository: String
    public let tag: String?
    public let digest: String?

    public init(parsing text: String) throws(RegistryError) {
        func bad(_ why: String) -> RegistryError {
            RegistryError(kind: .invalid, message: "invalid image reference '\(text)': \(why)")
        }
        guard !text.isEmpty, !text.contains(where: { $0.isWhitespace }) else { throw bad("empty or contains spaces") }
        var rest = Substring(text)
        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            let d = String(rest[rest.index(after: at)...])
            guard d.hasPrefix("sha256:"), d.count == 71, d.dropFirst(7).allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                throw bad("digest must be sha256:<64 lowercase hex>")
            }
            digest = d
            rest = rest[..<at]
        }
        var registry = "docker.io"
        if let slash = rest.firstIndex(of: "/") {
            let first = rest[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" {
                registry = String(first)
                rest = rest[rest.index(after: slash)...]
            }
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":") {
            let t = String(rest[rest.index(after: colon)...])
            guard !t.isEmpty, t.count <= 128, t.first != "." && t.first != "-",
                  t.allSatisfy({ $0.isLetter || $0.isNumber || "_.-".contains($0) }), t.allSatisfy(\.isASCII) else {
                throw bad("tag '\(t)' is not valid ([A-Za-z0-9_.-], at most 128)")
            }
            tag = t
            rest = rest[..<colon]
        }
        var repository = String(rest)
        guard !repository.isEmpty,
              repository.split(separator: "/", omittingEmptySubsequences: false).allSatisfy({ part in
                  !part.isEmpty && part.allSatisfy { ($0.isLowercase || $0.isNumber || "._-".contains($0)) && $0.isASCII }
              }) else {
            throw bad("repository '\(repository)' must be lowercase path components")
        }
        if registry == "docker.io" && !repository.contains("/") { repository = "library/" + repository }
        if tag == nil && digest == nil { tag = "latest" }
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// What the manifest endpoint is asked for: the digest if pinned, else the tag.
    public var manifestReference: String { digest ?? tag ?? "latest" }

    /// The host the API lives on (Docker Hub's API host differs from its name).
    public var apiHost: String { registry == "docker.io" ? "registry-1.docker.io" : registry }

    /// Plain HTTP only for loopback registries; everything else is HTTPS.
    public var isLoopback: Bool {
        let host = registry.split(separator: ":").first.map(String.init) ?? registry
        return host == "localhost" || host.hasPrefix("127.") || registry.hasPrefix("[::1]")
    }

    /// The normalized form: `docker.io/library/alpine:3.19`, `127.0.0.1:5000/a/b@sha256:…`.
    public var description: String {
        var s = "\(registry)/\(repository)"
        if let tag { s += ":\(tag)" }
        if let digest { s += "@\(digest)" }
        return s
    }
}
