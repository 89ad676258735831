import Testing

/// Every suite of this target nests under this one, serialized: the tests move hundreds of
/// MiB through tar, mount small tmpfs filesystems and kill a tar child they find in /proc,
/// and two of them at once would only make timings and free space harder to reason about.
@Suite(.serialized) struct SnapshotTests {}
