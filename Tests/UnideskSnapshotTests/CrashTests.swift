import Foundation
import Testing
@testable import UnideskSnapshot

/// tar killed in the middle of a take: the take fails and the previous last-good stays.
/// (A SIGKILL of the whole unidesk process is tested with the CLI.)
extension SnapshotTests {
    @Suite struct CrashTests {
        @Test func tarKilledDuringTakeLeavesThePreviousLastGood() throws {
            let s = try Scratch("crash")
            defer { s.remove() }
            let src = try s.dir("volume")
            try write("\(src)/version", "1\n")
            let root = try s.dir("snapshots")
            let store = SnapshotStore(root: root)
            let previous = try store.take("shop", [("data", src)])
            let taken = fingerprint(src)

            // 320 MiB: long enough to read that tar is found mid-stream.
            try writeRandom("\(src)/blob-0", bytes: 32 << 20)
            try sh("cd '\(src)' && for i in 1 2 3 4 5 6 7 8 9; do cp blob-0 blob-$i; done && echo 2 > version")

            let outcome = Box<Result<Manifest, SnapshotError>?>(nil)
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                do throws(SnapshotError) {
                    let m = try SnapshotStore(root: root).take(app: "shop", sources: [.init(name: "data", kind: "path", directory: src)], meta: .object([]))
                    outcome.value = .success(m)
                } catch {
                    outcome.value = .failure(error)
                }
                done.signal()
            }

            // Find our tar child by its arguments, wait until it has written a few MiB, kill it.
            var killed: pid_t?
            let deadline = Date().addingTimeInterval(30)
            while killed == nil && outcome.value == nil && Date() < deadline {
                if let pid = tarChild(archiving: src), incomingTarBytes(store, "shop") > 8 << 20 {
                    #expect(kill(pid, SIGKILL) == 0)
                    killed = pid
                }
                usleep(2_000)
            }
            #expect(done.wait(timeout: .now() + 60) == .success)
            try #require(killed != nil, "tar was not seen writing (the take ended: \(String(describing: outcome.value)))")

            guard case .failure(let e)? = outcome.value else {
                Issue.record("the take succeeded although tar was killed: \(String(describing: outcome.value))")
                return
            }
            #expect(e.kind == .io, "\(e)")
            #expect(store.incoming("shop").isEmpty, "the killed take left \(store.incoming("shop"))")
            #expect(store.snapshotIDs("shop") == [previous.id])
            #expect(try store.info(app: "shop") == previous)

            try store.restore("shop", into: ["data": src])
            expectSameTree(fingerprint(src), taken, "the previous last-good does not restore as taken")
        }

        /// How much the take in progress has written so far.
        func incomingTarBytes(_ store: SnapshotStore, _ app: String) -> Int {
            for dir in store.incoming(app).map({ "\(store.root)/\(app)/\($0)" }) {
                for f in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where f.hasSuffix(".tar") {
                    return fileSize("\(dir)/\(f)")
                }
            }
            return 0
        }

        /// The PID of a `tar --create` child of this process whose arguments name `directory`.
        func tarChild(archiving directory: String) -> pid_t? {
            let me = getpid()
            for e in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = pid_t(e), let cmd = FileManager.default.contents(atPath: "/proc/\(e)/cmdline") else { continue }
                let argv = cmd.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                guard argv.first == "tar", argv.contains("--create"), argv.contains(directory) else { continue }
                guard let stat = try? String(contentsOfFile: "/proc/\(e)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                if fields.count > 1, pid_t(fields[1]) == me { return pid }
            }
            return nil
        }
    }
}
