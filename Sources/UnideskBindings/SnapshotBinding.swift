import Foundation
import LuaRuntime
import UnideskCompose
import UnideskCore
import UnideskData
import UnideskSnapshot

/// `require "unidesk.snapshot"`: volume snapshots with one atomic last-good per app.
public enum SnapshotBinding {
    static let manifestType = "{app: string, id: string, created_at: string, meta: table, volumes: {name: string, kind: string, source: string, bytes: integer, files: integer, entries: integer, sha256: string}[], warnings: string[]}"
    static let commonErrors = [
        "raises kind = busy (another run holds the app's snapshot lock), invalid (a bad app name), io (tar, the engine or the filesystem failed)",
    ]

    static let take = PrimitiveSpec(
        module: "snapshot", name: "take",
        summary: "Snapshots volumes: each becomes one tar (GNU tar: numeric owners, modes, symlinks, hardlinks, sparse files, xattrs) hashed with SHA-256 as it streams, plus a manifest. The snapshot is written beside the last-good, synced, then made the last-good in one rename: a crash or a kill at any moment leaves the previous last-good intact. Free space is checked first. Stop the services writing to the volumes before taking it. Each volume is checked against the policy on its own: every one needs a grant, and a host path only one that spells it (`snapshot.take:shop//srv/data`; docs/policy.md).",
        params: [Param("args", .record([
            Param("app", .string, "whose snapshot: one last-good per app"),
            Param("volumes", .array(.string), "engine volume names (resolved to their directory) or absolute host paths"),
            Param("meta", .any, optional: true, "kept in the manifest, e.g. {version = \"1.4.2+pg15\"}"),
            Param("keep", .integer, optional: true, "snapshots to keep, the new one included (default 1)"),
        ]), "")],
        returns: [(manifestType, "manifest", "")],
        effect: .write, scope: "<app>/<volume> or <app>/<host path> (<app>//srv/data), one per volume",
        errors: ["raises kind = no_space (checked before writing, or the disk filled while writing; the last-good is unchanged), not_found (a volume or path does not exist)"] + commonErrors,
        example: """
        local current = "1.4.2"
        snapshot.take{ app = "shop", volumes = { "shop_data" }, meta = { version = current } }
        """,
        plannedResult: "`{planned = true, unknown = true, app, meta}`: the snapshot's `id`, `created_at` and volumes are not known before it is taken")
    static let restore = PrimitiveSpec(
        module: "snapshot", name: "restore",
        summary: "Restores the last-good snapshot into its volumes. Every checksum is verified and every archive extracted into a sibling directory on the same filesystem first; only then is each volume swapped with its sibling in one step, so a volume holds the old data or the new, never a mix. It returns once the new data is in place: the old data is removed in the background while the recipe goes on (starting the service again is not held up by it); the app's next take, restore or drop, and the end of the run, wait for that. Entries that would write outside the volume (absolute names, `..`, writing through a symlink, hardlinks to outside) are refused. Refuses while a running container uses a volume, unless force = true. Each volume it would overwrite is checked against the policy on its own, as for take.",
        params: [Param("args", .record([
            Param("app", .string, ""),
            Param("volumes", .array(.string), optional: true, "only these volumes of the snapshot (default: all)"),
            Param("force", .boolean, optional: true, "restore even while a container uses the volume (default false)"),
        ]), "")],
        returns: [("{app: string, id: string, volumes: string[], meta: table}", "restored", "")],
        effect: .write, scope: "<app>/<volume> or <app>/<host path> (<app>//srv/data), one per volume it would overwrite; <app> without a snapshot",
        errors: ["raises kind = corrupt (a checksum or header does not match; nothing was restored), unsafe_archive, in_use (naming the containers), not_found (no snapshot, or no such volume in it), no_space"] + commonErrors,
        example: #"snapshot.restore{ app = "shop" }"#,
        plannedResult: "`{planned = true, app, id, volumes, meta}` of the last-good it would restore; without one (the run would raise not_found) `{planned = true, unknown = true, app}`")
    static let info = PrimitiveSpec(
        module: "snapshot", name: "info",
        summary: "The last-good snapshot's manifest, or nil when the app has none.",
        params: [Param("args", .record([Param("app", .string, "")]), "")],
        returns: [(manifestType + "|nil", "manifest", "")],
        effect: .localRead, scope: "<app>", errors: commonErrors)
    static let list = PrimitiveSpec(
        module: "snapshot", name: "list",
        summary: "Every app's last-good manifest.",
        params: [Param("args", .record([]), optional: true, "")],
        returns: [("table[]", "manifests", "")],
        effect: .localRead, scope: "*")
    static let drop = PrimitiveSpec(
        module: "snapshot", name: "drop",
        summary: "Removes every snapshot of an app (last-good first, so a crash mid-drop never leaves a pointer to a half-removed snapshot).",
        params: [Param("args", .record([Param("app", .string, "")]), "")],
        returns: [("boolean", "dropped", "whether there was a snapshot")],
        effect: .write, scope: "<app>", errors: commonErrors)

    public static let library = HostLibrary(
        name: "snapshot", summary: "Volume snapshots: take, verify and restore atomically, one last-good per app.",
        specs: [take, restore, info, list, drop]
    ) { ctx in
        let root = ctx.environment["UNIDESK_SNAPSHOT_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(ctx.stateDirectory)/snapshots"
        let store = SnapshotStore(root: root)
        // A restore's old data is removed while the recipe goes on; the run ends after it,
        // saying so on a terminal (a large volume on a disk that discards takes minutes).
        ctx.atEnd {
            guard store.removalsRunning else { return }
            ctx.console.progress("removing the old data that restored volumes held")
            store.waitForRemovals()
            ctx.console.progress(nil)
        }
        let docker = Lazy { Docker(environment: ctx.environment) }
        let engine = EngineVolumes { docker.get }
        func timeout() -> Double { ctx.timeout(nil, Timeouts.snapshotEngine) }
        /// "bytes, rate, ETA" on a terminal's spinner line; nothing in CI.
        func reporter() -> SnapshotStore.Progress? {
            ctx.console.showsProgress ? ProgressLine { ctx.console.progress($0) }.progress : nil
        }
        /// The last-good's manifest, for what a plan says; none when it cannot be read.
        func lastGood(_ app: String) -> Manifest? { (try? store.info(app: app)).flatMap { $0 } }
        /// Basis of a write (saved plans): the last-good it replaces or restores from.
        func lastGoodBasis(_ app: String) -> () throws -> DataValue? {
            { .object([("last_good", lastGood(app).map { .string($0.id) } ?? .null)]) }
        }

        return [
            ctx.gatedEach(take) { args, gate in
                let t = try args.table(0)
                let app = t["app"].stringValue ?? ""
                let names = t["volumes"].tableValue?.array.compactMap(\.stringValue) ?? []
                let meta: DataValue
                do { meta = try LuaData.toData(t["meta"], path: "meta") } catch let e as LuaData.ConversionError { throw HostError.argument(1, "field 'meta': \(e.description)") }
                // Sizes where known: the same volume in the last-good.
                let previous = Dictionary(lastGood(app)?.volumes.map { ($0.name, $0.bytes) } ?? [], uniquingKeysWith: { a, _ in a })
                let targets = SnapshotTarget.forTake(volumes: names).map { SnapshotTarget(name: $0.name, kind: $0.kind, path: $0.path, bytes: previous[$0.name]) }
                // Nothing to read (no volumes: the take refuses): the app's own scope.
                let checks = targets.isEmpty ? [TargetGate.Target(scope: app, detail: "snapshot nothing for \(app)")] : targets.map { v in
                    TargetGate.Target(scope: v.scope(app: app),
                                      detail: "snapshot \(v) into the new last-good of \(app)\(v.bytes.map { " (\(SnapshotStore.size($0)) in the current last-good)" } ?? "")")
                }
                return try TargetGate.call(gate, targets: checks, arguments: gate.audit(args), compare: gate.comparable(args), verdict: .create,
                                           basis: lastGoodBasis(app), perform: {
                    let sources = try ctx.run { () throws(SnapshotError) in try engine.sources(targets, timeout: timeout()) }
                    defer { ctx.console.progress(nil) }
                    let m = try ctx.run { () throws(SnapshotError) in
                        try store.take(app: app, sources: sources, meta: meta, keep: Int(t.number("keep") ?? 1), progress: reporter())
                    }
                    return [LuaData.toLua(m.json)]
                }, plan: {
                    // Not taken: its id and what it holds are unknown; the meta is the caller's.
                    [.unknown([("app", .string(app)), ("meta", LuaData.toLua(meta))])]
                })
            },
            ctx.gatedEach(restore) { args, gate in
                let t = try args.table(0)
                let app = t["app"].stringValue ?? ""
                let only = t["volumes"].tableValue.map { $0.array.compactMap(\.stringValue) }
                let force = t.bool("force", default: false)
                let current = lastGood(app)
                let targets = current.map { SnapshotTarget.forRestore($0, only: only) } ?? []
                // Without a snapshot the restore would fail (not_found), which the plan
                // cannot show as a change.
                let verdict: Verdict = current == nil ? .unverified : .replace
                // No snapshot (the restore fails, not_found) or none of the volumes named: it
                // overwrites nothing, so the app's own scope is checked.
                let checks = targets.isEmpty
                    ? [TargetGate.Target(scope: app, detail: current.map { "restore \(app) from \($0.id): none of the volumes named is in it" } ?? "restore \(app): there is no snapshot")]
                    : targets.map { v in TargetGate.Target(scope: v.scope(app: app), detail: "restore \(v) (\(SnapshotStore.size(v.bytes ?? 0))) of \(app) from \(current?.id ?? "")") }
                return try TargetGate.call(gate, targets: checks, arguments: gate.audit(args), compare: gate.comparable(args), verdict: verdict,
                                           basis: lastGoodBasis(app), perform: {
                    defer { ctx.console.progress(nil) }
                    // Only the last-good checked above is restored ("" when there was none:
                    // one that appeared since was not checked, and is refused).
                    let m = try ctx.run { () throws(SnapshotError) in
                        try store.restore(app: app, volumes: only, force: force, expecting: current?.id ?? "", oldData: .removeInBackground,
                                          target: { v throws(SnapshotError) in try engine.target(v, timeout: timeout()) },
                                          inUse: { v throws(SnapshotError) in try engine.users(v, timeout: timeout()) },
                                          progress: reporter() ?? { _, _, _ in })
                    }
                    return [.table(LuaTable(fields: [("app", .string(app)), ("id", .string(m.id)),
                                                     ("volumes", .table(LuaTable(array: m.volumes.map { .string($0.name) }))),
                                                     ("meta", LuaData.toLua(m.meta))]))]
                }, plan: {
                    guard let current else { return [.unknown([("app", .string(app))])] }
                    // What a run returns, known from the manifest (only these volumes when asked).
                    let names = current.volumes.map(\.name).filter { only?.contains($0) ?? true }
                    return [.table(LuaTable(fields: [("planned", .bool(true)), ("app", .string(app)), ("id", .string(current.id)),
                                                     ("volumes", .table(LuaTable(array: names.map { .string($0) }))),
                                                     ("meta", LuaData.toLua(current.meta))]))]
                })
            },
            ctx.gated(info, scope: { args in (try args.table(0))["app"].stringValue ?? "" }, perform: { args in
                let app = (try args.table(0))["app"].stringValue ?? ""
                let m = try ctx.run { () throws(SnapshotError) in try store.info(app: app) }
                return [m.map { LuaData.toLua($0.json) } ?? .nil]
            }, plan: { _ in Gate.Planned([.nil]) }),
            ctx.gated(list, scope: { _ in "*" }, perform: { _ in
                [.table(LuaTable(array: store.list().map { LuaData.toLua($0.json) }))]
            }, plan: { _ in Gate.Planned([.table(LuaTable())]) }),
            ctx.gatedEach(drop) { args, gate in
                let app = (try args.table(0))["app"].stringValue ?? ""
                return try gate.call(scope: app, arguments: gate.audit(args), basis: lastGoodBasis(app), perform: {
                    [.bool(try ctx.run { () throws(SnapshotError) in try store.drop(app: app) })]
                }, plan: {
                    let had = try ctx.run { () throws(SnapshotError) in try store.info(app: app) } != nil
                    return had ? Gate.Planned([.bool(false)], detail: .string("remove every snapshot of \(app)"), verdict: .delete)
                               : Gate.Planned([.bool(false)], detail: .string("\(app) has no snapshot: nothing to remove"), verdict: .unchanged)
                })
            },
        ]
    }
}
