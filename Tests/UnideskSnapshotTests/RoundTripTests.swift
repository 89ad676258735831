import Foundation
import Testing
@testable import UnideskSnapshot

/// take → change the volume → restore: the volume is back exactly as it was taken.
extension SnapshotTests {
    @Suite struct RoundTripTests {
        static let longName = String(repeating: "n", count: 146) + ".txt"   // 150 characters
        static let deepDir = (1...6).map { "level\($0)-" + String(repeating: "d", count: 20) }.joined(separator: "/")
        static let longTarget = String(repeating: "t", count: 140) + "/target"

        /// Every kind of entry an operator's volume holds.
        static func buildTree(_ src: String) throws {
            let fm = FileManager.default
            try fm.createDirectory(atPath: "\(src)/a/b/c", withIntermediateDirectories: true)
            try write("\(src)/a/b/c/nested.txt", "nested\n")
            try write("\(src)/a/top.txt", "top\n")
            try fm.createDirectory(atPath: "\(src)/empty", withIntermediateDirectories: true)
            try writeRandom("\(src)/random.bin", bytes: 5 << 20)
            try write("\(src)/\(longName)", "a long name\n")
            try fm.createDirectory(atPath: "\(src)/\(deepDir)", withIntermediateDirectories: true)
            try write("\(src)/\(deepDir)/deep-file.txt", "deep\n")   // path > 100 characters
            try write("\(src)/héllo wörld ✓ データ.txt", "utf-8\n")
            try fm.createSymbolicLink(atPath: "\(src)/rel-link", withDestinationPath: "a/b/c/nested.txt")
            try fm.createSymbolicLink(atPath: "\(src)/abs-link", withDestinationPath: "/etc/hostname")
            try fm.createSymbolicLink(atPath: "\(src)/long-link", withDestinationPath: longTarget)
            try write("\(src)/hard1", "shared by two names\n")
            guard link("\(src)/hard1", "\(src)/hard2") == 0 else { throw Failed("link: \(String(cString: strerror(errno)))") }
            try sh("""
                cd '\(src)' && truncate -s 100M sparse.img \
                && printf 'begin' | dd of=sparse.img bs=1 seek=0 conv=notrunc status=none \
                && printf 'middle' | dd of=sparse.img bs=1 seek=52428800 conv=notrunc status=none
                """)
            try write("\(src)/m600", "0600\n")
            try write("\(src)/m755", "0755\n")
            try write("\(src)/suid", "04755\n")
            try fm.createDirectory(atPath: "\(src)/private", withIntermediateDirectories: true)
            try write("\(src)/private/secret", "s\n")
            try write("\(src)/owned", "by 1234:5678\n")
            try sh("""
                cd '\(src)' && chown 1234:5678 owned && chmod 0600 m600 && chmod 0755 m755 && chmod 04755 suid \
                && chmod 0700 private && mkfifo -m 0640 fifo && chown 4321:8765 . && chmod 0751 .
                """)
            // Extended attributes: a user one, file capabilities (cap_net_raw+ep), a POSIX ACL.
            try write("\(src)/attrs", "with xattrs\n")
            try write("\(src)/capable", "with capabilities\n")
            try write("\(src)/acl", "with an ACL (user 1234 rw)\n")
            try python("""
                import os, struct
                os.setxattr('\(src)/attrs', 'user.note', b'hello')
                os.setxattr('\(src)/capable', 'security.capability', bytes.fromhex('0100000200200000') + bytes(12))
                acl = struct.pack('<I', 2) + b''.join(struct.pack('<HHI', *e) for e in
                    [(1, 6, 0xffffffff), (2, 6, 1234), (4, 4, 0xffffffff), (0x10, 6, 0xffffffff), (0x20, 4, 0xffffffff)])
                os.setxattr('\(src)/acl', 'system.posix_acl_access', acl)
                """)
        }

        @Test func volumeComesBackExactlyAsTaken() throws {
            let s = try Scratch("roundtrip")
            defer { s.remove() }
            let src = try s.dir("volume")
            try Self.buildTree(src)
            let taken = fingerprint(src)
            let store = SnapshotStore(root: try s.dir("snapshots"))
            try store.take("shop", [("data", src)])

            // The volume changes after the snapshot.
            try write("\(src)/a/top.txt", "changed\n")
            try writeRandom("\(src)/random.bin", bytes: 1 << 20)
            try FileManager.default.removeItem(atPath: "\(src)/a/b/c/nested.txt")
            try FileManager.default.removeItem(atPath: "\(src)/hard2")
            try write("\(src)/extra.txt", "added later\n")
            try sh("cd '\(src)' && chmod 0644 m600 && chmod 0755 private && chown 0:0 owned . && chmod 0777 .")
            #expect(removeXattr("\(src)/attrs", "user.note") && removeXattr("\(src)/capable", "security.capability"))
            #expect(fingerprint(src) != taken)

            try store.restore("shop", into: ["data": src])
            let restored = fingerprint(src)
            expectSameTree(restored, taken, "the restored volume differs from the snapshot")
            #expect(!exists("\(src)/extra.txt"), "a file added after the snapshot survived the restore")
            #expect(restored["."]?.mode == 0o751 && restored["."]?.uid == 4321 && restored["."]?.gid == 8765,
                    "the volume directory's own mode/owner: \(restored["."].map(\.description) ?? "missing")")
            #expect(restored["owned"]?.uid == 1234 && restored["owned"]?.gid == 5678)
            #expect(restored["suid"]?.mode == 0o4755)
            #expect(restored["private"]?.mode == 0o700)
            #expect(restored["fifo"]?.kind == "fifo")
            #expect(restored["abs-link"]?.link == "/etc/hostname")
            #expect(restored["long-link"]?.link == Self.longTarget)
            #expect(restored["attrs"]?.xattrs["user.note"] == "68656c6c6f")
            #expect(restored["capable"]?.xattrs["security.capability"] != nil)
            #expect(restored["acl"]?.xattrs["system.posix_acl_access"] != nil)

            let h1 = try #require(lstatOf("\(src)/hard1")), h2 = try #require(lstatOf("\(src)/hard2"))
            #expect(h1.st_ino == h2.st_ino, "the hardlink pair came back as two files")
            #expect(h1.st_nlink == 2)

            let sparse = try #require(lstatOf("\(src)/sparse.img"))
            #expect(sparse.st_size == 100 << 20)
            #expect(Int(sparse.st_blocks) * 512 < 1 << 20, "the sparse file came back with \(Int(sparse.st_blocks) * 512) bytes allocated")
            #expect(restoreSiblings(in: s.path).isEmpty)
        }

        /// Sparse files with many data regions (tar writes them as pax sparse 1.0: --xattrs
        /// makes GNU tar 1.34 write pax headers although --format=gnu is given).
        @Test func sparseFilesWithManyRegionsRoundTrip() throws {
            let s = try Scratch("sparse")
            defer { s.remove() }
            let src = try s.dir("volume")
            try python("""
                for n in range(3):
                    with open('\(src)/many-%d.img' % n, 'wb') as f:
                        f.truncate(64 << 20)
                        for i in range(10):
                            f.seek(i * (6 << 20))
                            f.write(bytes([0xab]) * 8192)
                for i in range(5):
                    with open('\(src)/plain-%d.txt' % i, 'w') as f:
                        f.write('plain file %d\\n' % i)
                """)
            let taken = fingerprint(src)
            let store = SnapshotStore(root: try s.dir("snapshots"))
            let m = try store.take("sparse", [("data", src)])
            #expect(m.volumes.first?.entries == 9, "./, 3 sparse files and 5 plain ones")
            #expect(m.volumes.first?.files == 8)

            try FileManager.default.removeItem(atPath: "\(src)/plain-3.txt")
            try store.restore("sparse", into: ["data": src])
            expectSameTree(fingerprint(src), taken, "the restored volume differs from the snapshot")
            for n in 0..<3 {
                let st = try #require(lstatOf("\(src)/many-\(n).img"))
                #expect(Int(st.st_blocks) * 512 < 4 << 20, "many-\(n).img came back with \(Int(st.st_blocks) * 512) bytes allocated")
            }
        }
    }
}
