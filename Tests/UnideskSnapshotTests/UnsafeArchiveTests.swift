import Foundation
import Testing
@testable import UnideskSnapshot

/// Archives that would write outside the volume, swapped in for a snapshot's tar with a
/// matching checksum: the header scanner refuses them, before tar extracts anything.
extension SnapshotTests {
    @Suite struct UnsafeArchiveTests {
        enum Attack: String, CaseIterable, CustomTestStringConvertible {
            case dotDot, absolute, throughSymlink, hardlinkOutside, hardlinkAbsent, multivolume
            var testDescription: String { rawValue }
        }

        /// A volume with a last-good snapshot, changed since, beside an `outside` directory
        /// and an `outside-file` the archives aim at.
        struct Setup {
            let scratch: Scratch
            let store: SnapshotStore
            let volume: String
            var outside: String { "\(scratch.path)/outside" }
            var outsideFile: String { "\(scratch.path)/outside-file" }

            init(_ label: String) throws {
                scratch = try Scratch(label)
                volume = try scratch.dir("volume")
                try write("\(volume)/data.txt", "taken\n")
                store = SnapshotStore(root: try scratch.dir("snapshots"))
                try store.take("shop", [("data", volume)])
                try write("\(volume)/data.txt", "changed since\n")
                try scratch.dir("outside")
                try write(outsideFile, "secret\n")
            }

            /// Builds a tar with python's tarfile: `entries` is python code calling
            /// add(name, type, link, data) after a benign "./" and "ok.txt".
            func craft(_ format: String, _ entries: String, globalHeaders: String = "None") throws -> String {
                let path = "\(scratch.path)/crafted-\(format).tar"
                try python("""
                import io, tarfile
                fmt = {'gnu': tarfile.GNU_FORMAT, 'pax': tarfile.PAX_FORMAT, 'ustar': tarfile.USTAR_FORMAT}['\(format)']
                n = 0
                def add(name, type=tarfile.REGTYPE, link='', data=b'', pax=None):
                    global n
                    n += 1
                    ti = tarfile.TarInfo(name)
                    if fmt == tarfile.PAX_FORMAT and (name.startswith('/') or '..' in name or '/' in name or link):
                        # The real names only in pax records; the ustar fields say something harmless.
                        ti = tarfile.TarInfo('benign-%d' % n)
                        ti.pax_headers = {'path': name}
                        if link:
                            ti.pax_headers['linkpath'] = link
                    ti.type = type
                    ti.linkname = link if fmt == tarfile.GNU_FORMAT or not link else 'benign-link'
                    if pax:
                        ti.pax_headers = pax
                    ti.size = len(data) if type in (tarfile.REGTYPE, b'M') else 0
                    ti.mode = 0o644
                    t.addfile(ti, io.BytesIO(data) if ti.size else None)
                with tarfile.open('\(path)', 'w', format=fmt, pax_headers=\(globalHeaders)) as t:
                    d = tarfile.TarInfo('./'); d.type = tarfile.DIRTYPE; d.mode = 0o755; t.addfile(d)
                    add('ok.txt', data=b'ok\\n')
                \(entries.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
                """)
                return path
            }

            /// What a user would find changed around the volume.
            func surroundings() -> [String: Node] {
                var all = fingerprint(outside).mapKeys { "outside/\($0)" }
                all["outside-file"] = fingerprint(outsideFile)["."]
                for e in (try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? [] where !["volume", "snapshots", "outside", "outside-file"].contains(e) && !e.hasPrefix("crafted-") {
                    all[e] = fingerprint("\(scratch.path)/\(e)")["."]
                }
                return all
            }

            /// Restores the crafted archive and checks that nothing changed anywhere.
            func expectRefused(_ crafted: String, kind: SnapshotError.Kind = .unsafeArchive,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
                try replaceTar(store, app: "shop", with: crafted)
                let volumeBefore = fingerprint(volume)
                let aroundBefore = surroundings()
                let e = snapError({ try store.restore("shop", into: ["data": volume]) }, sourceLocation: sourceLocation)
                #expect(e?.kind == kind, "\(e.map(\.description) ?? "no error")", sourceLocation: sourceLocation)
                expectSameTree(fingerprint(volume), volumeBefore, "a refused restore changed the volume", sourceLocation: sourceLocation)
                expectSameTree(surroundings(), aroundBefore, "a refused restore wrote outside the volume", sourceLocation: sourceLocation)
                #expect(lstatOf(outsideFile)?.st_nlink == 1, "a hardlink to the outside file was made", sourceLocation: sourceLocation)
                #expect(restoreSiblings(in: scratch.path).isEmpty, "left \(restoreSiblings(in: scratch.path))", sourceLocation: sourceLocation)
            }
        }

        @Test(arguments: Attack.allCases, ["gnu", "pax"])
        func unsafeArchiveIsRefused(attack: Attack, format: String) throws {
            let t = try Setup("unsafe")
            defer { t.scratch.remove() }
            let entries: String
            switch attack {
            case .dotDot: entries = "add('../evil', data=b'x')"
            case .absolute: entries = "add('\(t.outside)/evil', data=b'x')"
            case .throughSymlink: entries = "add('link', tarfile.SYMTYPE, '\(t.outside)')\nadd('link/evil', data=b'x')"
            case .hardlinkOutside: entries = "add('hl', tarfile.LNKTYPE, '../outside-file')"
            case .hardlinkAbsent: entries = "add('hl', tarfile.LNKTYPE, 'absent.txt')"
            case .multivolume: entries = "add('continued.bin', b'M', data=b'rest of a file')"
            }
            try t.expectRefused(try t.craft(format, entries))
        }

        /// The safe control: the same crafting with benign entries restores.
        @Test(arguments: ["gnu", "pax"])
        func craftedSafeArchiveRestores(format: String) throws {
            let t = try Setup("safe")
            defer { t.scratch.remove() }
            let crafted = try t.craft(format, "add('sub/inner.txt', data=b'inner')\nadd('rel', tarfile.SYMTYPE, 'ok.txt')\nadd('hl', tarfile.LNKTYPE, 'ok.txt')")
            try replaceTar(t.store, app: "shop", with: crafted)
            try t.store.restore("shop", into: ["data": t.volume])
            #expect(try String(contentsOfFile: "\(t.volume)/ok.txt", encoding: .utf8) == "ok\n")
            #expect(try String(contentsOfFile: "\(t.volume)/sub/inner.txt", encoding: .utf8) == "inner")
            #expect(!exists("\(t.volume)/data.txt"))
        }

        /// ustar splits a name longer than 100 bytes into a prefix field and a name field;
        /// tar joins them, so the check must too: here the `..` is in the prefix only.
        @Test func ustarPrefixIsChecked() throws {
            let t = try Setup("ustar")
            defer { t.scratch.remove() }
            let long = String(repeating: "d", count: 120)
            let crafted = try t.craft("ustar", "add('../\(long)/evil', data=b'x')")
            try python("""
                import tarfile
                m = tarfile.open('\(crafted)').getmembers()[-1]
                raw = open('\(crafted)', 'rb').read()[m.offset:m.offset + 512]
                assert raw[0:4] == b'evil' and raw[345:348] == b'../', raw[:8] + raw[345:353]
                """)
            try t.expectRefused(crafted)

            // The control: a long name inside the volume, split the same way, restores.
            let safe = try t.craft("ustar", "add('sub/\(long)/inner.txt', data=b'inner')")
            try replaceTar(t.store, app: "shop", with: safe)
            try t.store.restore("shop", into: ["data": t.volume])
            #expect(try String(contentsOfFile: "\(t.volume)/sub/\(long)/inner.txt", encoding: .utf8) == "inner")
        }

        /// A pax global header ('g') sets `path` for every entry after it (GNU tar applies
        /// it); the scanner skips global headers, so it checks "ok.txt" while tar writes the
        /// global path (GNU tar strips the leading '/' and extracts it inside the volume).
        @Test func paxGlobalPathIsChecked() throws {
            let t = try Setup("global")
            defer { t.scratch.remove() }
            let crafted = try t.craft("pax", "add('after.txt', data=b'x')", globalHeaders: "{'path': '\(t.outside)/gevil'}")
            try t.expectRefused(crafted)
        }

        /// GNU tar takes GNU.sparse.name over path whatever their order in the pax header;
        /// the scanner keeps the last one, so it checks a name tar does not use.
        @Test func paxSparseNameIsTheNameChecked() throws {
            let t = try Setup("sparsename")
            defer { t.scratch.remove() }
            let crafted = try t.craft("pax", "add('x', data=b'x', pax={'GNU.sparse.name': '\(t.outside)/sevil', 'path': 'harmless.txt'})")
            try t.expectRefused(crafted)
        }

        /// A hardlink to a symlink is the symlink under another name: writing through it
        /// must be refused like writing through the symlink.
        @Test(arguments: ["gnu", "pax"])
        func writingThroughAHardlinkOfASymlinkIsRefused(format: String) throws {
            let t = try Setup("hardsym")
            defer { t.scratch.remove() }
            let crafted = try t.craft(format, "add('s', tarfile.SYMTYPE, '\(t.outside)')\nadd('h', tarfile.LNKTYPE, 's')\nadd('h/evil', data=b'x')")
            try t.expectRefused(crafted)
        }
    }
}

extension Dictionary {
    func mapKeys<K: Hashable>(_ f: (Key) -> K) -> [K: Value] {
        Dictionary<K, Value>(uniqueKeysWithValues: map { (f($0.key), $0.value) })
    }
}
