import UnideskData

extension ComposeError: FamilyError {
    public var errorKind: String { kind.rawValue }
    public var errorMessage: String { message }
    /// What compose said on stderr, and for an unhealthy container the container as last
    /// seen with its health output.
    public var errorFields: [(String, DataValue)] {
        var f: [(String, DataValue)] = []
        if let stderr { f.append(("stderr", .string(stderr))) }
        if let container {
            f.append(("container", container.data))
            if let h = container.healthOutput { f.append(("health_output", .string(h))) }
        }
        return f
    }
}

extension ContainerState {
    /// The container as a recipe reads it (compose.ps, inspect, recreate return the same).
    public var data: DataValue {
        var f: [(String, DataValue)] = [
            ("id", .string(id)), ("name", .string(name)), ("service", .string(service ?? "")),
            ("project", .string(project ?? "")), ("image", .string(image)), ("image_id", .string(imageID)),
            ("labels", .object(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("status", .string(status)),
        ]
        if let digest { f.append(("digest", .string(digest))) }
        if let health { f.append(("health", .string(health))) }
        if let healthOutput { f.append(("health_output", .string(healthOutput))) }
        if let exitCode { f.append(("exit_code", .int(Int64(exitCode)))) }
        return .object(f)
    }
}
