import Foundation
import Testing
import UnideskCompose
import UnideskData
@testable import UnideskSnapshot

/// What a take or restore touches, as the policy names it: no engine, no Lua.
@Suite struct SnapshotTargetTests {
    @Test func aTakeNamesEachVolumeAndEachHostPath() {
        let targets = SnapshotTarget.forTake(volumes: ["appdata", "/srv/../srv/data/", "appdata", "/no/such/./dir"])
        #expect(targets.map { $0.scope(app: "myapp") } == ["myapp/appdata", "myapp//srv/data", "myapp//no/such/dir"],
                "one per target, duplicates once, host paths in their canonical spelling")
        #expect(targets.map(\.kind) == [.volume, .path, .path])
        #expect(targets.map(\.description) == ["volume appdata", "host path /srv/data", "host path /no/such/dir"])
    }

    @Test func aHostPathIsNamedByWhereItLeads() throws {
        let s = try Scratch("target")
        defer { s.remove() }
        let real = try s.dir("real/data")
        try FileManager.default.createSymbolicLink(atPath: "\(s.path)/link", withDestinationPath: "\(s.path)/real")
        #expect(SnapshotTarget.canonicalHostPath("\(s.path)/link/data") == real, "the symlink is resolved: what a take reads")
        #expect(SnapshotTarget.canonicalHostPath("\(s.path)/link/data/../../real/./data") == real)
        #expect(SnapshotTarget.canonicalHostPath("/") == "/")
        #expect(SnapshotTarget.forTake(volumes: ["/"]).map { $0.scope(app: "a") } == ["a//"])
    }

    @Test func aRestoreNamesTheLastGoodsVolumesWithTheirSizes() throws {
        let m = Manifest(app: "myapp", id: "20260101T000000Z-abcd", createdAt: "2026-01-01T00:00:00Z", volumes: [
            Manifest.Volume(name: "appdata", kind: "volume", source: "/var/lib/docker/volumes/appdata/_data", tar: "01-appdata.tar",
                            bytes: 3 << 20, entries: 3, files: 2, sha256: String(repeating: "0", count: 64)),
            Manifest.Volume(name: "/srv//data/", kind: "path", source: "/srv//data/", tar: "02-srv_data.tar",
                            bytes: 2048, entries: 1, files: 1, sha256: String(repeating: "0", count: 64)),
        ], meta: .null, warnings: [])
        let all = SnapshotTarget.forRestore(m, only: nil)
        #expect(all.map { $0.scope(app: "myapp") } == ["myapp/appdata", "myapp//srv/data"], "the volume by name, the path where it is restored to")
        #expect(all.map(\.bytes) == [3 << 20, 2048])
        #expect(SnapshotTarget.forRestore(m, only: ["/srv//data/"]).map { $0.scope(app: "myapp") } == ["myapp//srv/data"])
        #expect(SnapshotTarget.forRestore(m, only: ["missing"]).isEmpty, "a volume the snapshot lacks is no target (the restore fails)")
    }

    @Test func engineFailuresBecomeSnapshotErrors() {
        #expect(EngineVolumes.snapshotError(ComposeError(.invalid, "there is no volume 'x'")).kind == .notFound)
        #expect(EngineVolumes.snapshotError(ComposeError(.engineUnreachable, "no engine")).kind == .io)
        #expect(EngineVolumes.snapshotError(ComposeError(.composeError, "docker failed")).message == "docker failed")
    }

    @Test func hostPathsNeedNoEngine() throws {
        let engine = EngineVolumes { Issue.record("the engine was asked about a host path"); return Docker(environment: [:]) }
        let sources = try engine.sources(SnapshotTarget.forTake(volumes: ["/srv/./data"]), timeout: 1)
        #expect(sources.map(\.directory) == ["/srv/data"] && sources.map(\.kind) == ["path"] && sources.map(\.name) == ["/srv/./data"],
                "the directory archived is the one the policy checked; the name stays as given")
    }
}

/// The progress line a terminal shows during a long take or restore.
@Suite struct ProgressLineTests {
    @Test func theLineSaysBytesRateAndTimeLeft() {
        #expect(ProgressLine.text(phase: "take", done: 1 << 30, total: 4 << 30, seconds: 2) == "take: 1.0 GiB of ~4.0 GiB, 512.0 MiB/s, 6 s left")
        #expect(ProgressLine.text(phase: "restore", done: 512, total: 0, seconds: 1) == "restore: 512 B, 512 B/s")
    }

    @Test func itIsShownAtMostEveryFifthOfASecond() {
        var now = 100.0
        var shown: [String] = []
        let line = ProgressLine(clock: { now }) { shown.append($0) }
        line.progress("take", 0, 100)
        now += 0.125; line.progress("take", 10, 100)
        now += 0.125; line.progress("take", 50, 100)
        #expect(shown.count == 2, "the update 0.125 s after the first is skipped: \(shown)")
        #expect(shown.last == "take: 50 B of ~100 B, 200 B/s, 0 s left")
    }
}
