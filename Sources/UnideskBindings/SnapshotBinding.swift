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
        summary: "Snapshots volumes: each becomes one tar (GNU tar: numeric owners, modes, symlinks, hardlinks, sparse files, xattrs) hashed with SHA-256 as it streams, plus a manifest. The snapshot is written beside the last-good, synced, then made the last-good in one rename: a crash or a kill at any moment leaves the previous last-good intact. Free space is checked first. Stop the services writing to the volumes before taking it.",
        params: [Param("args", .record([
            Param("app", .string, "whose snapshot: one last-good per app"),
            Param("volumes", .array(.string), "engine volume names (resolved to their directory) or absolute host paths"),
            Param("meta", .any, optional: true, "kept in the manifest, e.g. {version = \"1.4.2+pg15\"}"),
            Param("keep", .integer, optional: true, "snapshots to keep, the new one included (default 1)"),
        ]), "")],
        returns: [(manifestType, "manifest", "")],
        effect: .write, scope: "<app>",
        errors: ["raises kind = no_space (checked before writing, or the disk filled while writing; the last-good is unchanged), not_found (a volume or path does not exist)"] + commonErrors,
        example: """
        local current = "1.4.2"
        snapshot.take{ app = "shop", volumes = { "shop_data" }, meta = { version = current } }
        """,
        plannedResult: "`{planned = true, unknown = true, app, meta}`: the snapshot's `id`, `created_at` and volumes are not known before it is taken")
    static let restore = PrimitiveSpec(
        module: "snapshot", name: "restore",
        summary: "Restores the last-good snapshot into its volumes. Every checksum is verified and every archive extracted into a sibling directory on the same filesystem first; only then is each volume swapped with its sibling in one step, so a volume holds the old data or the new, never a mix. It returns once the new data is in place: the old data is removed in the background while the recipe goes on (starting the service again is not held up by it); the app's next take, restore or drop, and the end of the run, wait for that. Entries that would write outside the volume (absolute names, `..`, writing through a symlink, hardlinks to outside) are refused. Refuses while a running container uses a volume, unless force = true.",
        params: [Param("args", .record([
            Param("app", .string, ""),
            Param("volumes", .array(.string), optional: true, "only these volumes of the snapshot (default: all)"),
            Param("force", .boolean, optional: true, "restore even while a container uses the volume (default false)"),
        ]), "")],
        returns: [("{app: string, id: string, volumes: string[], meta: table}", "restored", "")],
        effect: .write, scope: "<app>",
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
        func raise(_ e: SnapshotError) -> HostError { ctx.error(e) }
        func run<T>(_ body: () throws(SnapshotError) -> T) throws -> T {
            do { return try body() } catch { throw raise(error) }
        }
        func engine(_ e: ComposeError) -> SnapshotError {
            SnapshotError(e.kind == .invalid ? .notFound : .io, e.message)
        }
        func timeout() -> Double { ctx.timeout(nil, Timeouts.snapshotEngine) }
        /// "bytes, rate, ETA" on a terminal's spinner line; nothing in CI.
        func reporter() -> SnapshotStore.Progress? {
            guard ctx.console.showsProgress else { return nil }
            let started = Date()
            var last = Date.distantPast
            return { phase, done, total in
                let now = Date()
                guard now.timeIntervalSince(last) > 0.2 else { return }
                last = now
                let rate = Double(done) / max(0.001, now.timeIntervalSince(started))
                let eta = total > done && rate > 0 ? String(format: ", %.0f s left", Double(total - done) / rate) : ""
                let of = total > 0 ? " of ~\(size(total))" : ""
                ctx.console.progress("\(phase): \(size(done))\(of), \(size(Int(rate)))/s\(eta)")
            }
        }
        func audit(_ args: [LuaValue]) -> DataValue { LuaData.auditArguments(args, redactor: ctx.redactor) }

        return [
            ctx.gatedEach(take) { args, gate in
                let t = try args.table(0)
                let app = t["app"].stringValue ?? ""
                let names = t["volumes"].tableValue?.array.compactMap(\.stringValue) ?? []
                let meta: DataValue
                do { meta = try LuaData.toData(t["meta"], path: "meta") } catch let e as LuaData.ConversionError { throw HostError.argument(1, "field 'meta': \(e.description)") }
                return try gate.call(scope: app, arguments: audit(args), perform: {
                    let sources = try run { () throws(SnapshotError) -> [SnapshotStore.Source] in
                        try names.map { n throws(SnapshotError) in
                            if n.hasPrefix("/") { return SnapshotStore.Source(name: n, kind: "path", directory: n) }
                            do throws(ComposeError) { return SnapshotStore.Source(name: n, kind: "volume", directory: try docker.get.volumeMountpoint(n, timeout: timeout())) }
                            catch { throw engine(error) }
                        }
                    }
                    defer { ctx.console.progress(nil) }
                    let m = try run { () throws(SnapshotError) in
                        try store.take(app: app, sources: sources, meta: meta, keep: Int(t.number("keep") ?? 1), progress: reporter())
                    }
                    return [LuaData.toLua(m.json)]
                }, plan: {
                    // Not taken: its id and what it holds are unknown; the meta is the caller's.
                    Gate.Planned([.unknown([("app", .string(app)), ("meta", LuaData.toLua(meta))])],
                                 detail: .string("snapshot \(names.joined(separator: ", ")) as the new last-good of \(app)"), verdict: .create)
                })
            },
            ctx.gatedEach(restore) { args, gate in
                let t = try args.table(0)
                let app = t["app"].stringValue ?? ""
                let only = t["volumes"].tableValue.map { $0.array.compactMap(\.stringValue) }
                let force = t.bool("force", default: false)
                return try gate.call(scope: app, arguments: audit(args), perform: {
                    defer { ctx.console.progress(nil) }
                    let m = try run { () throws(SnapshotError) in
                        try store.restore(app: app, volumes: only, force: force, oldData: .removeInBackground, target: { v throws(SnapshotError) in
                            if v.kind == "path" { return v.source }
                            do throws(ComposeError) { return try docker.get.volumeMountpoint(v.name, timeout: timeout()) } catch { throw engine(error) }
                        }, inUse: { v throws(SnapshotError) in
                            guard v.kind == "volume" else { return [] }
                            do throws(ComposeError) { return try docker.get.runningContainers(usingVolume: v.name, timeout: timeout()).map(\.name) } catch { throw engine(error) }
                        }, progress: reporter() ?? { _, _, _ in })
                    }
                    return [.table(LuaTable(fields: [("app", .string(app)), ("id", .string(m.id)),
                                                     ("volumes", .table(LuaTable(array: m.volumes.map { .string($0.name) }))),
                                                     ("meta", LuaData.toLua(m.meta))]))]
                }, plan: {
                    // The volumes' data would be replaced by the snapshot's; without one the
                    // restore would fail, which the plan cannot show as a change.
                    guard let current = (try? store.info(app: app)).flatMap({ $0 }) else {
                        return Gate.Planned([.unknown([("app", .string(app))])], detail: .string("restore \(app): there is no snapshot"))
                    }
                    // What a run returns, known from the manifest (only these volumes when asked).
                    let names = current.volumes.map(\.name).filter { only?.contains($0) ?? true }
                    let value = LuaValue.table(LuaTable(fields: [("planned", .bool(true)), ("app", .string(app)), ("id", .string(current.id)),
                                                                 ("volumes", .table(LuaTable(array: names.map { .string($0) }))),
                                                                 ("meta", LuaData.toLua(current.meta))]))
                    return Gate.Planned([value], detail: .string("restore \(app) from \(current.id) (\(current.volumes.map(\.name).joined(separator: ", ")))"),
                                        verdict: .replace)
                })
            },
            ctx.gated(info, scope: { args in (try args.table(0))["app"].stringValue ?? "" }, perform: { args in
                let app = (try args.table(0))["app"].stringValue ?? ""
                let m = try run { () throws(SnapshotError) in try store.info(app: app) }
                return [m.map { LuaData.toLua($0.json) } ?? .nil]
            }, plan: { _ in Gate.Planned([.nil]) }),
            ctx.gated(list, scope: { _ in "*" }, perform: { _ in
                [.table(LuaTable(array: store.list().map { LuaData.toLua($0.json) }))]
            }, plan: { _ in Gate.Planned([.table(LuaTable())]) }),
            ctx.gatedEach(drop) { args, gate in
                let app = (try args.table(0))["app"].stringValue ?? ""
                return try gate.call(scope: app, arguments: audit(args), perform: {
                    [.bool(try run { () throws(SnapshotError) in try store.drop(app: app) })]
                }, plan: {
                    let had = try run { () throws(SnapshotError) in try store.info(app: app) } != nil
                    return had ? Gate.Planned([.bool(false)], detail: .string("remove every snapshot of \(app)"), verdict: .delete)
                               : Gate.Planned([.bool(false)], detail: .string("\(app) has no snapshot: nothing to remove"), verdict: .unchanged)
                })
            },
        ]
    }

    static func size(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(bytes), i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        return i == 0 ? "\(bytes) B" : String(format: "%.1f", v) + " " + units[i]
    }
}
