import UnideskCompose

/// The container engine as snapshots use it: where a named volume lives and which running
/// containers use it. Engine failures become snapshot errors: a volume the engine does not
/// know is not_found, anything else (no engine, docker failed) io.
public struct EngineVolumes {
    /// Made on first use: a recipe snapshotting host paths only never needs an engine.
    let docker: () -> Docker

    public init(docker: @escaping () -> Docker) { self.docker = docker }

    public static func snapshotError(_ e: ComposeError) -> SnapshotError {
        SnapshotError(e.kind == .invalid ? .notFound : .io, e.message)
    }

    /// What `take` archives for each target: a host path as it was checked, a volume at
    /// its mountpoint.
    public func sources(_ targets: [SnapshotTarget], timeout: Double) throws(SnapshotError) -> [SnapshotStore.Source] {
        try targets.map { t throws(SnapshotError) in
            switch t.kind {
            case .path: return SnapshotStore.Source(name: t.name, kind: t.kind.rawValue, directory: t.path ?? t.name)
            case .volume: return SnapshotStore.Source(name: t.name, kind: t.kind.rawValue, directory: try directory(ofVolume: t.name, timeout: timeout))
            }
        }
    }

    /// Where `restore` writes a manifest volume: a host path where it was taken, a volume at
    /// its current mountpoint.
    public func target(_ v: Manifest.Volume, timeout: Double) throws(SnapshotError) -> String {
        v.kind == SnapshotTarget.Kind.path.rawValue ? v.source : try directory(ofVolume: v.name, timeout: timeout)
    }

    /// The running containers using a manifest volume (none for a host path: the engine
    /// cannot say).
    public func users(_ v: Manifest.Volume, timeout: Double) throws(SnapshotError) -> [String] {
        guard v.kind == SnapshotTarget.Kind.volume.rawValue else { return [] }
        do throws(ComposeError) { return try docker().runningContainers(usingVolume: v.name, timeout: timeout).map(\.name) }
        catch { throw Self.snapshotError(error) }
    }

    func directory(ofVolume name: String, timeout: Double) throws(SnapshotError) -> String {
        do throws(ComposeError) { return try docker().volumeMountpoint(name, timeout: timeout) }
        catch { throw Self.snapshotError(error) }
    }
}
