import Foundation
import UnideskData
import UnideskHTTP

/// What a manifest HEAD tells: whether the artifact exists, and which digest it is.
public struct ManifestHead: Sendable {
    public let reference: ImageReference
    public let exists: Bool
    public let status: Int
    public let digest: String?
    public let mediaType: String?
    public let size: Int?
}

/// Registry v2 manifest lookups, authenticating as docker does: anonymous, basic, or the
/// bearer token flow (401 challenge → token service → retry), tokens cached per scope.
public final class RegistryClient {
    public struct Options: Sendable {
        public var timeout: Double = 30
        public var maxConcurrent: Int = 16
        public var useEnvironmentProxy: Bool = true
        /// Registries reached over plain HTTP besides loopback ones.
        public var insecureRegistries: [String] = []
        public init() {}
    }

    static let accept = [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ].joined(separator: ", ")

    let transport: HTTPTransport
    let config: DockerConfig
    /// Called with every credential and token the client handles, so the host can mask it.
    let onSecret: (String) -> Void
    private var tokens: [String: String] = [:]          // "registry|scope" → "Bearer …"
    private var basic: [String: String] = [:]           // registry → "Basic …" once challenged
    public private(set) var tokensFetched = 0

    public init(transport: HTTPTransport, config: DockerConfig, onSecret: @escaping (String) -> Void = { _ in }) {
        self.transport = transport
        self.config = config
        self.onSecret = onSecret
    }

    public func head(_ ref: ImageReference, options: Options = Options()) -> Result<ManifestHead, RegistryError> {
        headMany([ref], options: options)[0]
    }

    /// HEADs many references concurrently; results in input order, one failure does not
    /// sink the others.
    public func headMany(_ refs: [ImageReference], options: Options = Options()) -> [Result<ManifestHead, RegistryError>] {
        var states = refs.map { Attempt(ref: $0) }
        var results = [Result<ManifestHead, RegistryError>?](repeating: nil, count: refs.count)
        var pending = Array(refs.indices)
        var round = 0
        while !pending.isEmpty {
            round += 1
            let requests = pending.map { request(for: states[$0], options: options) }
            let responses = transport.performAll(requests, maxConcurrent: options.maxConcurrent)
            var again: [Int] = []
            for (i, response) in zip(pending, responses) {
                switch evaluate(&states[i], response, options: options, lastRound: round >= 4) {
                case .done(let r): results[i] = r
                case .retry: again.append(i)
                }
            }
            // Each attempt moves on (auth, then GET): more rounds than that is a registry
            // that keeps asking again; stop instead of looping.
            if round >= 4 {
                for i in again { results[i] = .failure(RegistryError(kind: .protocolError, message: "registry \(refs[i].registry), \(refs[i]): no final answer after \(round) attempts")) }
                again = []
            }
            pending = again
        }
        return results.map { $0 ?? .failure(RegistryError(kind: .protocolError, message: "no answer")) }
    }

    // MARK: one reference's progress

    struct Attempt {
        let ref: ImageReference
        var method = "HEAD"
        var authTried = false
    }

    enum Step { case done(Result<ManifestHead, RegistryError>), retry }

    private func scope(_ ref: ImageReference) -> String { "repository:\(ref.repository):pull" }

    private func request(for a: Attempt, options: Options) -> HTTPRequest {
        let plain = a.ref.isLoopback || options.insecureRegistries.contains(a.ref.registry)
        let url = "\(plain ? "http" : "https")://\(a.ref.apiHost)/v2/\(a.ref.repository)/manifests/\(a.ref.manifestReference)"
        var headers = [("Accept", Self.accept)]
        if let auth = tokens["\(a.ref.registry)|\(scope(a.ref))"] ?? basic[a.ref.registry] {
            headers.append(("Authorization", auth))
        }
        var tls = TLSOptions()
        tls.caFile = config.caFile(for: a.ref.registry)
        return HTTPRequest(method: a.method, url: url, headers: headers, timeout: options.timeout,
                           maxBodyBytes: 4 << 20, useEnvironmentProxy: options.useEnvironmentProxy, tls: tls)
    }

    private func evaluate(_ a: inout Attempt, _ result: Result<HTTPResponse, HTTPError>, options: Options, lastRound: Bool) -> Step {
        let what = "registry \(a.ref.registry), \(a.ref)"
        let response: HTTPResponse
        switch result {
        case .failure(let e):
            let kind: RegistryError.Kind
            switch e.kind {
            case .timeout: kind = .timeout
            case .tls: kind = .tls
            case .protocolError, .invalidRequest: kind = .protocolError
            case .network: kind = .network
            }
            return .done(.failure(RegistryError(kind: kind, message: "\(what): \(e.message)")))
        case .success(let r): response = r
        }
        switch response.status {
        case 200:
            var digest = response.header("docker-content-digest")
            if digest == nil || !(digest!.hasPrefix("sha256:")) {
                if a.method == "HEAD" && !lastRound { a.method = "GET"; return .retry }   // compute it from the body
                digest = response.body.isEmpty ? nil : SHA256.digest(response.body)
            }
            let size = a.method == "GET" ? response.body.count : response.header("content-length").flatMap { Int($0) }
            let media = response.header("content-type")?.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) }
            return .done(.success(ManifestHead(reference: a.ref, exists: true, status: 200, digest: digest, mediaType: media, size: size)))
        case 404:
            return .done(.success(ManifestHead(reference: a.ref, exists: false, status: 404, digest: nil, mediaType: nil, size: nil)))
        case 401:
            guard !a.authTried, !lastRound else {
                return .done(.failure(RegistryError(kind: .unauthorized, message: "\(what): unauthorized (credentials missing or rejected)", status: 401)))
            }
            a.authTried = true
            do {
                try authenticate(a.ref, challenge: response.header("www-authenticate"), options: options)
                return .retry
            } catch {
                return .done(.failure(error))
            }
        case 403:
            return .done(.failure(RegistryError(kind: .denied, message: "\(what): access denied (403)", status: 403)))
        case 400, 405, 501:
            if a.method == "HEAD" && !lastRound {
                a.method = "GET"    // a registry that refuses HEAD
                return .retry
            }
            return .done(.failure(RegistryError(kind: .protocolError, message: "\(what): unexpected status \(response.status)", status: response.status)))
        case 429:
            let rl = response.headers.filter { $0.0.hasPrefix("ratelimit") || $0.0 == "retry-after" }
            let detail = rl.map { "\($0.0): \($0.1)" }.joined(separator: ", ")
            return .done(.failure(RegistryError(kind: .rateLimited, message: "\(what): rate limited (429)\(detail.isEmpty ? "" : "; \(detail)")", rateLimit: rl, status: 429)))
        case 500...599:
            return .done(.failure(RegistryError(kind: .network, message: "\(what): registry error \(response.status)", status: response.status)))
        default:
            return .done(.failure(RegistryError(kind: .protocolError, message: "\(what): unexpected status \(response.status)", status: response.status)))
        }
    }

    /// Answers a 401: basic credentials, or a bearer token from the challenge's realm.
    private func authenticate(_ ref: ImageReference, challenge header: String?, options: Options) throws(RegistryError) {
        let what = "registry \(ref.registry), \(ref)"
        guard let header, let challenge = Challenge(header) else {
            throw RegistryError(kind: .unauthorized, message: "\(what): 401 without a usable WWW-Authenticate challenge", status: 401)
        }
        let creds = try config.credentials(for: ref.registry)
        if let c = creds { onSecret(c.password) }
        switch challenge.scheme {
        case "basic":
            guard let c = creds else {
                throw RegistryError(kind: .unauthorized, message: "\(what): the registry requires credentials and none are configured (docker config auths or credHelpers)", status: 401)
            }
            basic[ref.registry] = "Basic " + Data("\(c.username):\(c.password)".utf8).base64EncodedString()
            onSecret(basic[ref.registry]!)
        case "bearer":
            guard let realm = challenge.parameters["realm"], realm.hasPrefix("http") else {
                throw RegistryError(kind: .protocolError, message: "\(what): bearer challenge without a realm")
            }
            let scope = challenge.parameters["scope"] ?? self.scope(ref)
            var query = [("scope", scope)]
            if let s = challenge.parameters["service"] { query.insert(("service", s), at: 0) }
            let q = query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? $0.1)" }.joined(separator: "&")
            var headers: [(String, String)] = []
            if let c = creds {
                let b = "Basic " + Data("\(c.username):\(c.password)".utf8).base64EncodedString()
                onSecret(b)
                headers.append(("Authorization", b))
            }
            let url = realm + (realm.contains("?") ? "&" : "?") + q
            let r = transport.perform(HTTPRequest(url: url, headers: headers, timeout: options.timeout, maxBodyBytes: 1 << 20,
                                                  useEnvironmentProxy: options.useEnvironmentProxy))
            guard case .success(let resp) = r else {
                throw RegistryError(kind: .network, message: "\(what): token service \(realm) unreachable")
            }
            guard resp.status == 200 else {
                throw RegistryError(kind: .unauthorized, message: "\(what): token service \(realm) refused (\(resp.status))\(creds == nil ? "; no credentials are configured" : "; check the credentials")", status: resp.status)
            }
            guard let doc = try? JSON.decode(bytes: resp.body),
                  let token = doc["token"]?.stringValue ?? doc["access_token"]?.stringValue, !token.isEmpty else {
                throw RegistryError(kind: .protocolError, message: "\(what): token service answered without a token")
            }
            tokensFetched += 1
            onSecret(token)
            tokens["\(ref.registry)|\(self.scope(ref))"] = "Bearer " + token
        default:
            throw RegistryError(kind: .unauthorized, message: "\(what): unsupported authentication scheme '\(challenge.scheme)'", status: 401)
        }
    }
}
