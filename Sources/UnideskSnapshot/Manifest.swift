import UnideskData

/// What a snapshot holds: written last, beside the tars, so a snapshot with a manifest
/// is complete.
public struct Manifest: Sendable, Equatable {
    public struct Volume: Sendable, Equatable {
        /// The engine volume name, or the host path as given.
        public var name: String
        /// "volume" (an engine volume) or "path" (a host directory).
        public var kind: String
        /// The directory that was archived.
        public var source: String
        /// The tar's file name inside the snapshot directory.
        public var tar: String
        public var bytes: Int
        public var entries: Int
        public var files: Int
        public var sha256: String
    }

    public var app: String
    public var id: String
    public var createdAt: String
    public var volumes: [Volume]
    public var meta: DataValue
    /// tar's warnings (files that changed while they were read), if any.
    public var warnings: [String]

    public static let format = 1

    public var json: DataValue {
        .object([
            ("format", .int(Int64(Self.format))), ("app", .string(app)), ("id", .string(id)),
            ("created_at", .string(createdAt)), ("meta", meta),
            ("volumes", .array(volumes.map { v in
                .object([("name", .string(v.name)), ("kind", .string(v.kind)), ("source", .string(v.source)),
                         ("tar", .string(v.tar)), ("bytes", .int(Int64(v.bytes))), ("entries", .int(Int64(v.entries))),
                         ("files", .int(Int64(v.files))), ("sha256", .string(v.sha256))])
            })),
            ("warnings", .array(warnings.map { .string($0) })),
        ])
    }

    init(app: String, id: String, createdAt: String, volumes: [Volume], meta: DataValue, warnings: [String]) {
        self.app = app
        self.id = id
        self.createdAt = createdAt
        self.volumes = volumes
        self.meta = meta
        self.warnings = warnings
    }

    init(json d: DataValue) throws(SnapshotError) {
        guard d["format"]?.intValue == Int64(Self.format), let app = d["app"]?.stringValue, let id = d["id"]?.stringValue,
              let vols = d["volumes"]?.arrayValue else {
            throw SnapshotError(.corrupt, "the manifest is not a unidesk snapshot manifest (format \(Self.format))")
        }
        self.app = app
        self.id = id
        createdAt = d["created_at"]?.stringValue ?? ""
        meta = d["meta"] ?? .object([])
        warnings = d["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var out: [Volume] = []
        for v in vols {
            guard let name = v["name"]?.stringValue, let tar = v["tar"]?.stringValue, let sha = v["sha256"]?.stringValue,
                  !tar.contains("/"), !tar.hasPrefix(".") else {
                throw SnapshotError(.corrupt, "the manifest of \(app)/\(id) lists a volume without name, tar or checksum")
            }
            out.append(Volume(name: name, kind: v["kind"]?.stringValue ?? "volume", source: v["source"]?.stringValue ?? "",
                              tar: tar, bytes: Int(v["bytes"]?.intValue ?? 0), entries: Int(v["entries"]?.intValue ?? 0),
                              files: Int(v["files"]?.intValue ?? 0), sha256: sha))
        }
        volumes = out
    }
}
