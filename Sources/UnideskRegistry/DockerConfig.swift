import Foundation
import UnideskData

/// Registry credentials as docker finds them: `$DOCKER_CONFIG/config.json` (or
/// `~/.docker/config.json`) `auths`, `credHelpers` and `credsStore` helpers.
public struct DockerConfig: Sendable {
    public struct Credentials: Sendable {
        public let username: String
        public let password: String
    }

    let auths: [String: Credentials]
    let helpers: [String: String]
    let store: String?
    let path: String
    let searchPath: String
    /// docker's per-registry CA directory: `<dir>/<host:port>/ca.crt` is trusted for that
    /// registry. /etc/docker/certs.d unless UNIDESK_REGISTRY_CERTS_D names another.
    let certsDirectory: String

    public static func load(environment: [String: String]) -> DockerConfig {
        let dir = environment["DOCKER_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? "/root") + "/.docker")
        let path = dir + "/config.json"
        var auths: [String: Credentials] = [:]
        var helpers: [String: String] = [:]
        var store: String?
        if let data = FileManager.default.contents(atPath: path),
           let doc = try? JSON.decode(bytes: [UInt8](data)) {
            for (host, entry) in doc["auths"]?.objectValue ?? [] {
                if let auth = entry["auth"]?.stringValue, let raw = Data(base64Encoded: auth),
                   let text = String(data: raw, encoding: .utf8), let colon = text.firstIndex(of: ":") {
                    auths[host] = Credentials(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
                } else if let u = entry["username"]?.stringValue, let p = entry["password"]?.stringValue {
                    auths[host] = Credentials(username: u, password: p)
                }
            }
            for (host, name) in doc["credHelpers"]?.objectValue ?? [] {
                if let n = name.stringValue { helpers[host] = n }
            }
            store = doc["credsStore"]?.stringValue
        }
        return DockerConfig(auths: auths, helpers: helpers, store: store, path: path,
                            searchPath: environment["PATH"] ?? "/usr/bin:/bin",
                            certsDirectory: environment["UNIDESK_REGISTRY_CERTS_D"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/docker/certs.d")
    }

    /// The CA bundle trusted for a registry, if one is installed for it.
    public func caFile(for registry: String) -> String? {
        let path = "\(certsDirectory)/\(registry)/ca.crt"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The keys docker would look a registry up by.
    static func keys(for registry: String) -> [String] {
        if registry == "docker.io" { return ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"] }
        return [registry, "https://\(registry)", "http://\(registry)", "https://\(registry)/v1/"]
    }

    /// Credentials for a registry, or nil for anonymous access.
    public func credentials(for registry: String) throws(RegistryError) -> Credentials? {
        let keys = Self.keys(for: registry)
        if let helper = keys.lazy.compactMap({ self.helpers[$0] }).first {
            return try runHelper(helper, serverURL: registry == "docker.io" ? keys[0] : registry)
        }
        if let c = keys.lazy.compactMap({ self.auths[$0] }).first { return c }
        if let store { return try runHelper(store, serverURL: registry == "docker.io" ? keys[0] : registry) }
        return nil
    }

    /// `docker-credential-NAME get`: server URL on stdin, {"Username","Secret"} on stdout.
    private func runHelper(_ name: String, serverURL: String) throws(RegistryError) -> Credentials? {
        let exe = "docker-credential-\(name)"
        guard let full = searchPath.split(separator: ":").map({ "\($0)/\(exe)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw RegistryError(kind: .unauthorized, message: "credential helper '\(exe)' (from \(path)) is not on PATH")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: full)
        p.arguments = ["get"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = errors
        do { try p.run() } catch {
            throw RegistryError(kind: .unauthorized, message: "credential helper '\(exe)' cannot run: \(error.localizedDescription)")
        }
        input.fileHandleForWriting.write(Data(serverURL.utf8))
        try? input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        _ = errors.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        // Helpers exit non-zero with "credentials not found" for an unknown server: anonymous.
        guard p.terminationStatus == 0 else { return nil }
        guard let doc = try? JSON.decode(bytes: [UInt8](out)),
              let user = doc["Username"]?.stringValue, let secret = doc["Secret"]?.stringValue else {
            throw RegistryError(kind: .unauthorized, message: "credential helper '\(exe)' answered something other than {Username, Secret}")
        }
        return Credentials(username: user, password: secret)
    }
}
