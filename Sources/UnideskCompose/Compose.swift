import CSystem
import Foundation
import UnideskData
import UnideskProcess

/// A compose project as `docker compose -p <name> -f <file>…` sees it.
public struct ComposeProject: Sendable {
    public var name: String
    /// Absolute paths, in `-f` order: later files override earlier ones.
    public var files: [String]
    /// --project-directory (relative paths in the files resolve against it).
    public var directory: String?
    /// Variables for compose's interpolation (${IMAGE_TAG}), on top of the environment.
    public var environment: [String: String]

    public init(name: String, files: [String] = [], directory: String? = nil, environment: [String: String] = [:]) {
        self.name = name
        self.files = files
        self.directory = directory
        self.environment = environment
    }

    var arguments: [String] {
        var a = ["compose", "--ansi", "never", "-p", name]
        if let directory { a += ["--project-directory", directory] }
        for f in files { a += ["-f", f] }
        return a
    }
}

/// The compose operations recipes use. `recreate` is the artifact consumer's path: pull one
/// service, recreate only it, never build, never touch another service.
public struct Compose: Sendable {
    public let docker: Docker

    public init(docker: Docker) { self.docker = docker }

    func compose(_ p: ComposeProject, _ args: [String], timeout: Double, failure: ComposeError.Kind = .composeError,
                 what: String) throws(ComposeError) -> CommandResult {
        try docker.run(p.arguments + args, extraEnvironment: p.environment, timeout: timeout, failure: failure, what: what)
    }

    /// Every container of the project (running or not), by service name.
    public func ps(_ p: ComposeProject, timeout: Double) throws(ComposeError) -> [ContainerState] {
        let r = try compose(p, ["ps", "--all", "--quiet"], timeout: timeout, what: "compose ps")
        let ids = r.stdoutText.split(whereSeparator: \.isNewline).map(String.init)
        return try docker.inspectContainers(ids, timeout: timeout).sorted { ($0.service ?? "", $0.name) < ($1.service ?? "", $1.name) }
    }

    /// The service's container, or nil when it has none.
    public func inspect(_ p: ComposeProject, service: String, timeout: Double) throws(ComposeError) -> ContainerState? {
        let r = try compose(p, ["ps", "--all", "--quiet", service], timeout: timeout, what: "compose ps \(service)")
        let ids = r.stdoutText.split(whereSeparator: \.isNewline).map(String.init)
        return try docker.inspectContainers(ids, timeout: timeout).first
    }

    /// The image a service would run, from `compose config` (files and variables applied).
    public func configuredImage(_ p: ComposeProject, service: String, timeout: Double) throws(ComposeError) -> String? {
        let r = try compose(p, ["config", "--format", "json"], timeout: timeout, failure: .invalid, what: "compose config")
        guard let config = try? JSON.decode(bytes: r.stdout) else { return nil }
        guard config["services"]?[service] != nil else {
            let known = config["services"]?.objectValue?.map(\.0).joined(separator: ", ") ?? ""
            throw ComposeError(.invalid, "service '\(service)' is not defined by the project's files (services: \(known))")
        }
        return config["services"]?[service]?["image"]?.stringValue
    }

    public func up(_ p: ComposeProject, services: [String], wait: Bool, removeOrphans: Bool = false, timeout: Double) throws(ComposeError) -> [ContainerState] {
        let start = monotonicNow()
        _ = try compose(p, ["up", "--detach", "--no-build", "--pull", "missing"] + (removeOrphans ? ["--remove-orphans"] : []) + services,
                        timeout: timeout, what: "compose up")
        let all = try ps(p, timeout: max(1, timeout - (monotonicNow() - start)))
        let chosen = services.isEmpty ? all : all.filter { services.contains($0.service ?? "") }
        guard wait else { return chosen }
        return try chosen.map { c throws(ComposeError) in try waitReady(c.id, timeout: max(1, timeout - (monotonicNow() - start))) }
    }

    public func stop(_ p: ComposeProject, services: [String], timeout: Double) throws(ComposeError) {
        _ = try compose(p, ["stop"] + services, timeout: timeout, what: "compose stop")
    }

    public func down(_ p: ComposeProject, volumes: Bool, timeout: Double) throws(ComposeError) {
        _ = try compose(p, ["down"] + (volumes ? ["--volumes"] : []), timeout: timeout, what: "compose down")
    }

    /// pull → up --no-deps --no-build --force-recreate for one service, then wait for it.
    /// A failed pull leaves the running container as it was.
    public func recreate(_ p: ComposeProject, service: String, pull: Bool, wait: Bool, timeout: Double) throws(ComposeError) -> ContainerState {
        let start = monotonicNow()
        func left() -> Double { max(1, timeout - (monotonicNow() - start)) }
        _ = try configuredImage(p, service: service, timeout: left())
        if pull {
            _ = try compose(p, ["pull", "--quiet", service], timeout: left(), failure: .pullFailed, what: "pull of \(service)")
        }
        _ = try compose(p, ["up", "--detach", "--no-deps", "--no-build", "--force-recreate", "--pull", "never", service],
                        timeout: left(), what: "recreate of \(service)")
        guard let created = try inspect(p, service: service, timeout: left()) else {
            throw ComposeError(.composeError, "compose reported success but \(service) has no container")
        }
        return wait ? try waitReady(created.id, timeout: left()) : created
    }

    /// Waits until the container is healthy (when it has a health check) or running.
    public func waitReady(_ id: String, timeout: Double) throws(ComposeError) -> ContainerState {
        let until = monotonicNow() + timeout
        var last: ContainerState?
        while true {
            guard let c = try docker.inspectContainers([id], timeout: max(1, until - monotonicNow())).first else {
                throw ComposeError(.unhealthy, "container \(id.prefix(12)) disappeared while waiting for it")
            }
            last = c
            switch (c.status, c.health) {
            case ("running", "healthy"), ("running", nil): return c
            case ("running", "unhealthy"):
                var e = ComposeError(.unhealthy, "\(c.service ?? c.name) is unhealthy: \(Self.oneLine(c.healthOutput))")
                e.container = c
                throw e
            case ("exited", _), ("dead", _):
                var e = ComposeError(.unhealthy, "\(c.service ?? c.name) exited with code \(c.exitCode ?? -1) instead of becoming ready")
                e.container = c
                throw e
            default: break
            }
            // A stop (SIGTERM, SIGINT) ends the wait: the container is recreated already.
            if ud_stop_cuts_waits() != 0 {
                var e = ComposeError(.unhealthy, "stopped waiting for \(c.service ?? c.name) to become healthy: unidesk is stopping (\(String(cString: ud_stop_signal_name())))")
                e.container = last
                throw e
            }
            if monotonicNow() >= until {
                var e = ComposeError(.unhealthy, "\(c.service ?? c.name) did not become healthy within \(Int(timeout.rounded())) s (status \(c.status), health \(c.health ?? "none")\(c.healthOutput.map { "; last check: " + Self.oneLine($0) } ?? ""))")
                e.container = last
                throw e
            }
            _ = ud_stop_sleep(0.3)
        }
    }

    static func oneLine(_ s: String?) -> String {
        guard let s, !s.isEmpty else { return "no health output" }
        let t = s.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " / ")
        return t.count > 300 ? String(t.prefix(300)) + "…" : t
    }
}
