import Foundation
import UnideskData
import UnideskProcess

/// The docker CLI (and its compose v2 plugin), speaking to the engine at DOCKER_HOST with
/// DOCKER_CONFIG's credentials, as an operator's shell would.
public final class Docker: @unchecked Sendable {
    let environment: [String: String]
    let executable: String?

    public init(environment: [String: String]) {
        self.environment = environment
        executable = Command.find("docker", path: environment["PATH"])
    }

    /// Runs `docker <args>`; failures become ComposeErrors by what the CLI said.
    func run(_ args: [String], extraEnvironment: [String: String] = [:], timeout: Double,
             failure: ComposeError.Kind = .composeError, what: String) throws(ComposeError) -> CommandResult {
        guard let executable else {
            throw ComposeError(.engineUnreachable, "the docker CLI is not installed (no `docker` in PATH); install docker-ce-cli or docker.io")
        }
        var env = environment
        for (k, v) in extraEnvironment { env[k] = v }
        let result: CommandResult
        do {
            result = try Command.run([executable] + args, environment: env, timeout: timeout)
        } catch {
            throw ComposeError(.engineUnreachable, "cannot run docker: \(error)")
        }
        if result.timedOut {
            throw ComposeError(.timeout, "\(what) did not finish within \(Int(timeout.rounded())) s", stderr: result.stderrTail())
        }
        guard result.status == 0 else {
            let tail = result.stderrTail()
            if Self.engineDown(tail) {
                throw ComposeError(.engineUnreachable, "no container engine answers at \(environment["DOCKER_HOST"] ?? "the default socket"): \(tail.split(separator: "\n").last ?? "")", stderr: tail)
            }
            // Without the plugin, docker answers `docker compose …` with "unknown command", or
            // with "unknown flag" for compose's first flag (it parses them as its own).
            let noPlugin = tail.contains("unknown command: docker compose") || tail.contains("'compose' is not a docker command")
                || (args.first == "compose" && (tail.contains("unknown flag: ") || tail.contains("unknown shorthand flag: ")))
            if noPlugin {
                throw ComposeError(.composeError, "Docker Compose v2 is not installed for this docker CLI (`docker compose` is an unknown command): install the compose plugin (docker-compose-plugin, or PyPI docker-compose's binary) into \(environment["DOCKER_CONFIG"] ?? "~/.docker")/cli-plugins, or set DOCKER_CONFIG to where it is", stderr: tail)
            }
            // docker ends many errors with a "Run 'docker --help'" line: say the line before it.
            let lines = tail.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("Run 'docker") && !$0.hasPrefix("See 'docker") && !$0.hasPrefix("Usage:") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            throw ComposeError(failure, "\(what) failed: \(lines.last ?? "exit \(result.status)")", stderr: tail)
        }
        return result
    }

    static func engineDown(_ stderr: String) -> Bool {
        stderr.contains("Cannot connect to the Docker daemon") || stderr.contains("Is the docker daemon running")
            || (stderr.contains("connect: ") && (stderr.contains("no such file or directory") || stderr.contains("connection refused")) && stderr.contains(".sock"))
    }

    /// `docker inspect` of containers, with the registry digest of each one's image.
    public func inspectContainers(_ ids: [String], timeout: Double) throws(ComposeError) -> [ContainerState] {
        guard !ids.isEmpty else { return [] }
        let r = try run(["inspect", "--type", "container"] + ids, timeout: timeout, what: "docker inspect")
        guard case .array(let items)? = try? JSON.decode(bytes: r.stdout) else {
            throw ComposeError(.composeError, "docker inspect printed something that is not JSON")
        }
        var states = items.compactMap(ContainerState.init(inspect:))
        let images = Array(Set(states.map(\.imageID).filter { !$0.isEmpty }))
        let digests = try repoDigests(images, timeout: timeout)
        for i in states.indices {
            states[i].digest = Self.digest(for: states[i].image, in: digests[states[i].imageID] ?? [])
        }
        return states
    }

    /// RepoDigests by image ID ("127.0.0.1:5000/app@sha256:…").
    func repoDigests(_ imageIDs: [String], timeout: Double) throws(ComposeError) -> [String: [String]] {
        guard !imageIDs.isEmpty else { return [:] }
        let r = try run(["image", "inspect"] + imageIDs, timeout: timeout, what: "docker image inspect")
        guard case .array(let items)? = try? JSON.decode(bytes: r.stdout) else { return [:] }
        var out: [String: [String]] = [:]
        for item in items {
            guard let id = item["Id"]?.stringValue else { continue }
            out[id] = item["RepoDigests"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        return out
    }

    /// The digest of `image`'s repository among RepoDigests (an image pulled from two
    /// repositories has two); the only one when the repository does not match.
    static func digest(for image: String, in repoDigests: [String]) -> String? {
        let repo = repository(of: image)
        let matching = repoDigests.first { $0.split(separator: "@").first.map(String.init) == repo } ?? (repoDigests.count == 1 ? repoDigests[0] : nil)
        return matching?.split(separator: "@").last.map(String.init)
    }

    /// "host:5000/a/b:tag" → "host:5000/a/b"; "x@sha256:…" → "x".
    static func repository(of image: String) -> String {
        var s = image
        if let at = s.firstIndex(of: "@") { s = String(s[..<at]) }
        if let colon = s.lastIndex(of: ":"), !s[colon...].contains("/") { s = String(s[..<colon]) }
        return s
    }

    /// A named volume's directory on the host.
    public func volumeMountpoint(_ name: String, timeout: Double) throws(ComposeError) -> String {
        let r: CommandResult
        do {
            r = try run(["volume", "inspect", "--format", "{{.Mountpoint}}", name], timeout: timeout, what: "docker volume inspect \(name)")
        } catch {
            if error.kind == .composeError, error.stderr?.contains("no such volume") == true {
                throw ComposeError(.invalid, "there is no volume '\(name)' on the engine (docker volume ls lists them)")
            }
            throw error
        }
        let path = r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard path.hasPrefix("/") else { throw ComposeError(.composeError, "volume '\(name)' has no host directory (driver without a mountpoint?)") }
        return path
    }

    /// Running containers that mount volume `name`: (id, name).
    public func runningContainers(usingVolume name: String, timeout: Double) throws(ComposeError) -> [(id: String, name: String)] {
        let r = try run(["ps", "--filter", "volume=\(name)", "--format", "{{.ID}} {{.Names}}"], timeout: timeout, what: "docker ps")
        return r.stdoutText.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
    }
}
