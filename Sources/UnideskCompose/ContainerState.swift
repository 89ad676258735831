import UnideskData

/// One container as `docker inspect` describes it, reduced to what recipes check.
public struct ContainerState: Sendable, Equatable {
    public var id: String
    public var name: String
    public var service: String?
    public var project: String?
    /// The image reference the container was created from (compose's `image:`).
    public var image: String
    /// The local image ID (sha256:…).
    public var imageID: String
    /// The registry digest of the image it runs (sha256:…), from the image's RepoDigests.
    public var digest: String?
    public var labels: [String: String]
    /// created, running, exited, …
    public var status: String
    public var exitCode: Int?
    /// healthy, unhealthy, starting; nil when the image has no health check.
    public var health: String?
    /// The output of the last health check run.
    public var healthOutput: String?
    public var startedAt: String?

    /// Reads the fields from one element of `docker inspect`'s JSON array.
    init?(inspect v: DataValue) {
        guard let id = v["Id"]?.stringValue else { return nil }
        self.id = id
        name = (v["Name"]?.stringValue ?? "").trimmingPrefix("/")
        let config = v["Config"]
        image = config?["Image"]?.stringValue ?? ""
        imageID = v["Image"]?.stringValue ?? ""
        var l: [String: String] = [:]
        if case .object(let pairs)? = config?["Labels"] {
            for (k, val) in pairs { if let s = val.stringValue { l[k] = s } }
        }
        labels = l
        service = l["com.docker.compose.service"]
        project = l["com.docker.compose.project"]
        let state = v["State"]
        status = state?["Status"]?.stringValue ?? "unknown"
        exitCode = state?["ExitCode"]?.intValue.map { Int($0) }
        startedAt = state?["StartedAt"]?.stringValue
        health = state?["Health"]?["Status"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        if case .array(let log)? = state?["Health"]?["Log"], let last = log.last {
            healthOutput = last["Output"]?.stringValue
        }
        digest = nil
    }
}

extension String {
    func trimmingPrefix(_ p: String) -> String { hasPrefix(p) ? String(dropFirst(p.count)) : self }
}
