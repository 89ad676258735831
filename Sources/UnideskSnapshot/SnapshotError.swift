/// Why a snapshot operation refused or failed. Whatever the kind, the last-good snapshot
/// and the volumes are as they were before the call.
public struct SnapshotError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No snapshot of that app (or no such volume in it).
        case notFound = "not_found"
        /// A checksum does not match: the snapshot is damaged; nothing was restored.
        case corrupt
        /// The archive would write outside the volume (`..`, absolute names, symlinks).
        case unsafeArchive = "unsafe_archive"
        /// A running container uses a volume to restore (force=true overrides).
        case inUse = "in_use"
        /// Not enough free space, checked before writing or hit while writing.
        case noSpace = "no_space"
        /// Another run holds the app's snapshot lock.
        case busy
        /// tar, the engine or the filesystem failed.
        case io
        case invalid
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
