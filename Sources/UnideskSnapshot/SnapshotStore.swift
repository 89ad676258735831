import CSystem
import Foundation
import UnideskData
#if canImport(Glibc)
import Glibc
#endif

/// Snapshots of volumes, one last-good per app (and optionally older ones), laid out as
///
///     <root>/<app>/last-good        → snapshots/<id>   (a symlink, swapped atomically)
///     <root>/<app>/snapshots/<id>/  manifest.json + one tar per volume
///     <root>/<app>/.incoming-<id>/  a take in progress (removed if a run died in it)
///     <root>/<app>/.lock            flock: one take/restore/drop per app at a time
///
/// A snapshot directory is complete before it gets its final name, and last-good moves to
/// it in one rename, so a crash or a kill at any moment leaves the previous last-good.
public final class SnapshotStore {
    public let root: String

    /// What to snapshot: an engine volume resolved to its directory, or a host path.
    public struct Source: Sendable {
        public var name: String
        public var kind: String
        public var directory: String
        public init(name: String, kind: String, directory: String) {
            self.name = name
            self.kind = kind
            self.directory = directory
        }
    }

    /// Progress of a long step: bytes done of an estimated total.
    public typealias Progress = (_ phase: String, _ done: Int, _ total: Int) -> Void

    /// What a restore does with the volumes' old data once the new data is swapped in.
    public enum OldData: Sendable {
        /// Removed before `restore` returns.
        case removeBeforeReturning
        /// Removed on a thread of its own while the caller goes on (a recipe starting the
        /// service again: the old data is no longer part of the downtime). The app stays
        /// locked until it is gone; this store's next take, restore or drop of the app, and
        /// `waitForRemovals`, wait for it.
        case removeInBackground
    }

    private let removals = BackgroundRemovals()

    public init(root: String) { self.root = root }

    /// Returns once every old data removal started by a restore of this store has ended.
    public func waitForRemovals() { removals.waitAll() }

    /// Whether an old data removal started by a restore of this store is still going.
    public var removalsRunning: Bool { removals.anyRunning }

    static func validate(app: String) throws(SnapshotError) {
        let ok = !app.isEmpty && app.count <= 128 && !app.hasPrefix(".")
            && app.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
        guard ok else { throw SnapshotError(.invalid, "app name '\(app)' is invalid: letters, digits, '-', '_' and '.' only, not starting with '.'") }
    }

    func appDirectory(_ app: String) -> String { "\(root)/\(app)" }

    // MARK: reading

    /// The last-good snapshot's manifest, or nil when the app has none.
    public func info(app: String) throws(SnapshotError) -> Manifest? {
        try Self.validate(app: app)
        guard let id = lastGoodID(app) else { return nil }
        return try manifest(app: app, id: id)
    }

    /// Every app's last-good manifest, by app name.
    public func list() -> [Manifest] {
        let apps = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return apps.sorted().compactMap { app in
            guard (try? Self.validate(app: app)) != nil, let id = lastGoodID(app) else { return nil }
            return try? manifest(app: app, id: id)
        }
    }

    func lastGoodID(_ app: String) -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(appDirectory(app))/last-good") else { return nil }
        let id = (target as NSString).lastPathComponent
        return FileSystem.exists("\(appDirectory(app))/snapshots/\(id)/manifest.json") ? id : nil
    }

    func manifest(app: String, id: String) throws(SnapshotError) -> Manifest {
        let path = "\(appDirectory(app))/snapshots/\(id)/manifest.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SnapshotError(.notFound, "snapshot \(app)/\(id) has no manifest")
        }
        guard let json = try? JSON.decode(bytes: Array(data)) else {
            throw SnapshotError(.corrupt, "the manifest of \(app)/\(id) is not JSON")
        }
        return try Manifest(json: json)
    }

    // MARK: take

    /// Archives every source into a new snapshot and makes it the last-good. `keep` is how
    /// many snapshots to retain, the new one included.
    /// `progress` nil: nobody shows progress, so the size of the archive is not needed for an
    /// ETA, only for the free-space check (see `FileSystem.certainlyFits`).
    public func take(app: String, sources: [Source], meta: DataValue, keep: Int = 1,
                     progress: Progress? = nil) throws(SnapshotError) -> Manifest {
        try Self.validate(app: app)
        guard !sources.isEmpty else { throw SnapshotError(.invalid, "no volumes to snapshot") }
        var seenNames = Set<String>()
        for s in sources {
            guard FileSystem.isDirectory(s.directory) else {
                throw SnapshotError(.notFound, "\(s.kind) '\(s.name)' has no directory at \(s.directory)")
            }
            guard seenNames.insert(s.name).inserted else { throw SnapshotError(.invalid, "volume '\(s.name)' is listed twice") }
        }
        let dir = appDirectory(app)
        do { try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) } catch {
            throw SnapshotError(.io, "cannot create the snapshot directory \(root): \(error.localizedDescription)")
        }
        try FileSystem.makeDirectory(dir)
        try FileSystem.makeDirectory("\(dir)/snapshots")
        removals.wait(app: app)
        let lock = try AppLock("\(dir)/.lock", app: app)
        defer { withExtendedLifetime(lock) {} }
        removeLeftovers(dir)

        // The walk that estimates the archive costs a stat per entry before tar can start;
        // skipped when the whole of the sources' filesystems would fit twice over anyway.
        let skipWalk = progress == nil && FileSystem.certainlyFits(sources.map(\.directory), in: dir)
        let estimate = skipWalk ? 0 : sources.reduce(0) { $0 + FileSystem.estimateTarBytes($1.directory) }
        let progress = progress ?? { _, _, _ in }
        if !skipWalk, let free = FileSystem.freeBytes(dir), free < estimate + estimate / 20 + (1 << 20) {
            throw SnapshotError(.noSpace, "not enough space under \(root) for a snapshot of \(app): about \(Self.size(estimate)) needed, \(Self.size(free)) free; the last-good snapshot is unchanged")
        }

        let id = Self.newID()
        let incoming = "\(dir)/.incoming-\(id)"
        try FileSystem.makeDirectory(incoming)
        var volumes: [Manifest.Volume] = []
        var warnings: [String] = []
        var before = 0
        do throws(SnapshotError) {
            for (i, s) in sources.enumerated() {
                let tar = String(format: "%02d-", i + 1) + Self.fileSafe(s.name) + ".tar"
                let r = try TarPipes.archive(s.directory, to: "\(incoming)/\(tar)") { progress("take", before + $0, estimate) }
                before += r.bytes
                volumes.append(Manifest.Volume(name: s.name, kind: s.kind, source: s.directory, tar: tar, bytes: r.bytes,
                                               entries: r.entries, files: r.files, sha256: r.sha256))
                warnings += r.warnings.map { "\(s.name): \($0)" }
            }
            let m = Manifest(app: app, id: id, createdAt: Self.iso(Date()), volumes: volumes, meta: meta, warnings: warnings)
            let text = (try? JSON.encode(m.json, options: .init(pretty: true, sortKeys: false))) ?? "{}"
            try Self.writeSynced(Array((text + "\n").utf8), to: "\(incoming)/manifest.json")
            FileSystem.sync(incoming)
            // Complete: give it its final name, then point last-good at it.
            guard rename(incoming, "\(dir)/snapshots/\(id)") == 0 else {
                throw SnapshotError(.io, "cannot move the new snapshot into place: \(FileSystem.errnoText())")
            }
            FileSystem.sync("\(dir)/snapshots")
            let link = "\(dir)/.last-good-\(id)"
            guard symlink("snapshots/\(id)", link) == 0, rename(link, "\(dir)/last-good") == 0 else {
                let why = FileSystem.errnoText()
                unlink(link)
                throw SnapshotError(.io, "cannot point last-good at the new snapshot: \(why)")
            }
            FileSystem.sync(dir)
            prune(dir, keep: max(1, keep), lastGood: id)
            return m
        } catch {
            FileSystem.remove(incoming)
            throw error
        }
    }

    // MARK: restore

    /// Restores the last-good snapshot's volumes (all, or those named). Every archive is
    /// extracted into a sibling of its target and verified before any target changes; then
    /// each target is swapped with its sibling in one step (RENAME_EXCHANGE), so a volume
    /// holds the old data or the new, never a mix. The old data is removed after the swaps,
    /// before returning or in the background (`oldData`).
    ///
    /// `target` gives the directory to restore a volume into (engine volumes resolve to
    /// their current mountpoint); `inUse` names running containers using it. `expecting`:
    /// the last-good the caller checked its targets against (the policy); when another run
    /// made a different one the last-good since, nothing is restored (busy).
    public func restore(app: String, volumes names: [String]? = nil, force: Bool = false,
                        expecting expectedID: String? = nil,
                        oldData: OldData = .removeBeforeReturning,
                        target: (Manifest.Volume) throws(SnapshotError) -> String,
                        inUse: (Manifest.Volume) throws(SnapshotError) -> [String],
                        progress: Progress = { _, _, _ in }) throws(SnapshotError) -> Manifest {
        try Self.validate(app: app)
        let dir = appDirectory(app)
        guard FileSystem.exists(dir) else { throw SnapshotError(.notFound, "there is no snapshot of \(app)") }
        removals.wait(app: app)
        let lock = try AppLock("\(dir)/.lock", app: app)
        defer { withExtendedLifetime(lock) {} }
        guard let id = lastGoodID(app) else { throw SnapshotError(.notFound, "there is no snapshot of \(app)") }
        if let expectedID, expectedID != id {
            throw SnapshotError(.busy, "the last-good snapshot of \(app) changed to \(id) while this restore of \(expectedID) was being checked (another run took one): nothing was restored; run it again")
        }
        var m = try manifest(app: app, id: id)
        if let names {
            for n in names where !m.volumes.contains(where: { $0.name == n }) {
                throw SnapshotError(.notFound, "snapshot \(app)/\(id) has no volume '\(n)' (it has: \(m.volumes.map(\.name).joined(separator: ", ")))")
            }
            m.volumes = m.volumes.filter { names.contains($0.name) }
        }
        // Everything that can refuse, before anything is written.
        var plan: [(volume: Manifest.Volume, target: String, staging: String)] = []
        var needByDevice: [UInt: (need: Int, parent: String)] = [:]
        for v in m.volumes {
            if !force {
                let users = try inUse(v)
                if !users.isEmpty {
                    throw SnapshotError(.inUse, "volume '\(v.name)' is in use by running container\(users.count > 1 ? "s" : "") \(users.joined(separator: ", ")): stop \(users.count > 1 ? "them" : "it") first (or force = true)")
                }
            }
            // The real directory: swapping a symlink would leave the data where it was.
            let t = FileSystem.realPath(try target(v))
            guard FileSystem.isDirectory(t) else { throw SnapshotError(.notFound, "the target of volume '\(v.name)' is not a directory: \(t)") }
            let parent = (t as NSString).deletingLastPathComponent
            guard let device = FileSystem.device(t), FileSystem.device(parent) == device else {
                throw SnapshotError(.invalid, "the target of volume '\(v.name)' (\(t)) is a mount point: it cannot be swapped with a sibling; restore into a directory inside it")
            }
            let staging = "\(parent)/\(Self.stagingPrefix(app: app, target: t))\(id)"
            let need = v.bytes + v.bytes / 20 + (1 << 20)
            needByDevice[device, default: (0, parent)].need += need
            plan.append((v, t, staging))
        }
        // All volumes are extracted before any is swapped in: their sum must fit.
        for (_, d) in needByDevice {
            if let free = FileSystem.freeBytes(d.parent), free < d.need {
                throw SnapshotError(.noSpace, "not enough space to restore beside \(d.parent): about \(Self.size(d.need)) needed, \(Self.size(free)) free; nothing was restored")
            }
        }
        let total = plan.reduce(0) { $0 + $1.volume.bytes }
        var before = 0
        do throws(SnapshotError) {
            for p in plan {
                removeDeadStagings(app: app, target: p.target)
                try FileSystem.makeDirectory(p.staging)
                try TarPipes.extract("\(dir)/snapshots/\(id)/\(p.volume.tar)", into: p.staging, sha256: p.volume.sha256) {
                    progress("restore", before + $0, total)
                }
                FileSystem.sync(p.staging)
                before += p.volume.bytes
            }
        } catch {
            for p in plan { FileSystem.remove(p.staging) }
            throw error
        }
        // Verified, all of them: swap each in. The old data stays in the stagings until
        // every swap succeeded, so a failed one can be undone for the volumes before it.
        var swapped: [Int] = []
        for (i, p) in plan.enumerated() {
            guard ud_exchange_paths(p.staging, p.target) == 0 else {
                let why = FileSystem.errnoText()
                for j in swapped.reversed() { _ = ud_exchange_paths(plan[j].staging, plan[j].target) }
                for q in plan { FileSystem.remove(q.staging) }
                throw SnapshotError(.io, "cannot swap the restored data into \(p.target): \(why); no volume was changed")
            }
            swapped.append(i)
            FileSystem.sync((p.target as NSString).deletingLastPathComponent)
        }
        // The stagings now hold the old data.
        switch oldData {
        case .removeBeforeReturning: FileSystem.remove(plan.map(\.staging))
        case .removeInBackground: removals.start(app: app, paths: plan.map(\.staging), holding: lock)
        }
        return m
    }

    // MARK: drop

    /// Removes every snapshot of `app`. Returns whether there was one.
    @discardableResult
    public func drop(app: String) throws(SnapshotError) -> Bool {
        try Self.validate(app: app)
        let dir = appDirectory(app)
        guard FileSystem.exists(dir) else { return false }
        removals.wait(app: app)
        let lock = try AppLock("\(dir)/.lock", app: app)
        defer { withExtendedLifetime(lock) {} }
        let had = lastGoodID(app) != nil
        // last-good first: a crash mid-drop leaves no pointer to a half-removed snapshot.
        unlink("\(dir)/last-good")
        FileSystem.sync(dir)
        FileSystem.removeEntries(of: dir) { $0 != ".lock" }
        return had
    }

    // MARK: housekeeping

    /// Incoming directories of runs that died (the lock is ours, so none is live), and
    /// last-good links that were never swapped in.
    func removeLeftovers(_ dir: String) {
        FileSystem.removeEntries(of: dir) { $0.hasPrefix(".incoming-") || $0.hasPrefix(".last-good-") }
    }

    /// A restore's staging directory beside `target` is this prefix and the snapshot's ID;
    /// `+` cannot occur in an app name or an ID, so the prefix names one app and one target.
    /// A target name longer than 60 bytes (the app may take 128 of the 255) is cut and gets
    /// a hash of the whole name, so that two volumes of one parent sharing their first 60
    /// characters do not share a staging directory.
    static func stagingPrefix(app: String, target: String) -> String {
        let name = (target as NSString).lastPathComponent
        var short = String(name.prefix(60))
        if short != name {
            // FNV-1a: stable across runs, so a dead run's staging is found again.
            let hash = name.utf8.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }
            short += "~" + String(hash, radix: 16)
        }
        return ".unidesk-restore-\(app)+\(short)+"
    }

    /// Staging directories this app's restores of `target` left when they died (the lock is
    /// ours, so none is live): before the swap they hold part of the new data, after it the
    /// old data being deleted. Whatever snapshot they were of, they are only disk space.
    func removeDeadStagings(app: String, target: String) {
        let prefix = Self.stagingPrefix(app: app, target: target)
        FileSystem.removeEntries(of: (target as NSString).deletingLastPathComponent) {
            $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("+")
        }
    }

    /// Keeps last-good and the newest `keep - 1` snapshots older than it.
    func prune(_ dir: String, keep: Int, lastGood: String) {
        let ids = ((try? FileManager.default.contentsOfDirectory(atPath: "\(dir)/snapshots")) ?? []).sorted()
        let older = ids.filter { $0 < lastGood }.suffix(keep - 1)
        for id in ids where id != lastGood && !older.contains(id) {
            FileSystem.remove("\(dir)/snapshots/\(id)")
        }
    }

    static func writeSynced(_ bytes: [UInt8], to path: String) throws(SnapshotError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SnapshotError(.io, "cannot create \(path): \(FileSystem.errnoText())") }
        defer { close(fd) }
        var off = 0
        while off < bytes.count {
            let w = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if w < 0 {
                if errno == EINTR { continue }
                if errno == ENOSPC { throw SnapshotError(.noSpace, "the disk filled up while writing \(path); the last-good snapshot is unchanged") }
                throw SnapshotError(.io, "writing \(path): \(FileSystem.errnoText())")
            }
            off += w
        }
        guard fsync(fd) == 0 else { throw SnapshotError(.io, "syncing \(path): \(FileSystem.errnoText())") }
    }

    /// Sortable and unique: 20261122T214501.123Z-<random>.
    static func newID() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        return f.string(from: Date()) + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
    }

    static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }

    static func fileSafe(_ name: String) -> String {
        let s = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "_" })
        return String(s.drop { $0 == "." || $0 == "_" }.prefix(80))
    }

    public static func size(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(bytes), i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        return i == 0 ? "\(bytes) B" : String(format: "%.1f", v) + " " + units[i]
    }
}
