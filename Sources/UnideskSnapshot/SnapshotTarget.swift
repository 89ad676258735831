import Foundation

/// One volume or host path a take reads or a restore overwrites, named as the policy sees
/// it: `<app>/<volume>` for an engine volume, `<app>/<absolute path>` (so `<app>//srv/data`)
/// for a host path. Every target of a call is checked on its own, so a grant must name the
/// data a recipe may copy and overwrite.
public struct SnapshotTarget: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable { case volume, path }

    /// The name the recipe gave (or the manifest holds): a volume name or a host path.
    public let name: String
    public let kind: Kind
    /// A host path's canonical spelling (`..`, `.` and repeated `/` removed, symlinks
    /// resolved where the path exists): what is read or overwritten. Nil for a volume.
    public let path: String?
    /// The size when it is known (a restore: the archive's bytes in the manifest).
    public let bytes: Int?

    public init(name: String, kind: Kind, path: String? = nil, bytes: Int? = nil) {
        self.name = name
        self.kind = kind
        self.path = path
        self.bytes = bytes
    }

    /// The capability scope: `<app>/<volume>` or `<app>/<path>` (a path starts with `/`).
    public func scope(app: String) -> String {
        "\(app)/\(path ?? name)"
    }

    /// How a plan names it: `volume shop_data`, `host path /srv/data`.
    public var description: String { kind == .path ? "host path \(path ?? name)" : "volume \(name)" }

    /// What `take` would read: a name starting with `/` is a host path, anything else an
    /// engine volume. Duplicates are listed once (the take itself refuses them).
    public static func forTake(volumes names: [String]) -> [SnapshotTarget] {
        var seen = Set<String>()
        return names.compactMap { n in
            let t = n.hasPrefix("/") ? SnapshotTarget(name: n, kind: .path, path: canonicalHostPath(n))
                                     : SnapshotTarget(name: n, kind: .volume)
            return seen.insert(t.scope(app: "")).inserted ? t : nil
        }
    }

    /// What `restore` would overwrite: the manifest's volumes (only those named, when some
    /// are; a name the snapshot lacks makes the restore fail, so it has no target).
    public static func forRestore(_ m: Manifest, only: [String]?) -> [SnapshotTarget] {
        m.volumes.filter { v in only?.contains(v.name) ?? true }.map { v in
            v.kind == Kind.path.rawValue
                ? SnapshotTarget(name: v.name, kind: .path, path: canonicalHostPath(v.source), bytes: v.bytes)
                : SnapshotTarget(name: v.name, kind: .volume, bytes: v.bytes)
        }
    }

    /// The real path (symlinks and `..` resolved as the kernel does) when `path` exists:
    /// the directory a take archives and a restore swaps. A path that does not exist (the
    /// call then fails with not_found) is spelled without `.`, `..` or repeated `/`.
    public static func canonicalHostPath(_ path: String) -> String {
        if let real = realpath(path) { return real }
        var parts: [Substring] = []
        for c in path.split(separator: "/") {
            switch c {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(c)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    private static func realpath(_ p: String) -> String? {
        guard let r = Foundation.realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }
}
