import Foundation
import Testing
import UnideskProcess

/// SIGTERM and SIGINT as a pod's deletion and a terminal's Ctrl-C send them: the run stops
/// at its next Lua instruction or as the primitive it is in returns, waits end early, an
/// effect that must not be cut finishes by its own rules, the report and the termination
/// message say so, and a second signal (or the grace running out) stops it hard. Real
/// processes of the built binary; outcomes are checked (exit code, report, files), never
/// durations: every wait below is bounded and generous.
@Suite(.serialized) struct StopSignalTests {
    let base = NSTemporaryDirectory() + "unidesk-stop-\(UUID().uuidString.prefix(8))"

    init() throws {
        try FileManager.default.createDirectory(atPath: base + "/recipe", withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: base) }

    func recipe(_ name: String, _ text: String) throws -> String {
        let path = "\(base)/recipe/\(name).lua"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func start(_ args: [String], environment extra: [String: String] = [:]) throws -> ChildProcess {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["UNIDESK_SNAPSHOT_DIR"] = nil
        env["UNIDESK_STATE_DIR"] = nil
        for (k, v) in extra { env[k] = v }
        return try ChildProcess([try Unidesk.binary().path] + args, environment: env)
    }

    /// Waits until `condition` holds (checked every 10 ms), up to `seconds`.
    func wait(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let until = Date().addingTimeInterval(seconds)
        while Date() < until { if condition() { return true }; usleep(10_000) }
        return false
    }

    func json(_ path: String) -> [String: Any]? {
        guard let d = FileManager.default.contents(atPath: path) else { return nil }
        return (try? JSONSerialization.jsonObject(with: d)) as? [String: Any]
    }

    func errorMessage(_ report: [String: Any]?) -> String? { (report?["error"] as? [String: Any])?["message"] as? String }

    // MARK: waits end early

    /// A TCP port that accepts connections and never answers: a health endpoint that hangs.
    final class SilentServer: @unchecked Sendable {
        let fd: Int32
        let port: Int
        private let lock = NSLock()
        private var accepted: [Int32] = []

        init() throws {
            let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = 0
            let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard bound == 0, listen(s, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
            fd = s
            port = Int(UInt16(bigEndian: addr.sin_port))
            Thread.detachNewThread { [self] in
                while true {
                    let c = accept(s, nil, nil)
                    if c < 0 { return }
                    self.lock.withLock { self.accepted.append(c) }
                }
            }
        }

        var connections: Int { lock.withLock { accepted.count } }

        func close() {
            shutdown(fd, Int32(SHUT_RDWR))
            Glibc.close(fd)
            lock.withLock { accepted.forEach { _ = Glibc.close($0) }; accepted = [] }
        }
    }

    @Test func sigtermEndsAnHTTPWaitWhoseRequestHangs() throws {
        defer { cleanup() }
        let server = try SilentServer()
        defer { server.close() }
        let r = try recipe("wait", """
            local http = require "unidesk.http"
            http.wait("http://127.0.0.1:\(server.port)/health", { timeout = 600 })
            """)
        // Each of http.wait's polls may hang up to 10 s; the grace of 3 s is far more than
        // a clean stop needs, and less than a poll that is not cut short would take.
        let p = try start(["run", r, "--allow", "http.get:*", "--report", "\(base)/r.json", "--stop-grace", "3"])
        defer { if p.exitIfDone() == nil { p.signal(SIGKILL); p.wait() } }
        #expect(wait(60) { server.connections > 0 }, "http.wait never connected")
        p.signal(SIGTERM)
        #expect(p.wait(seconds: 60) == 4)
        let report = json("\(base)/r.json")
        #expect(errorMessage(report) == "limit: stopped by SIGTERM", "\(String(describing: report?["error"]))")
        #expect(report?["status"] as? String == "limit")
    }

    @Test func sigintStopsASleepingRunToo() throws {
        defer { cleanup() }
        let r = try recipe("sleep", """
            local time = require "unidesk.time"
            unidesk.output("started", true)
            require("unidesk.fs").write("started", "yes")
            time.sleep(600)
            """)
        let state = "\(base)/state"
        let p = try start(["run", r, "--state-dir", state, "--allow", "fs.write:*", "--report", "\(base)/r.json", "--stop-grace", "3"])
        defer { if p.exitIfDone() == nil { p.signal(SIGKILL); p.wait() } }
        #expect(wait(60) { FileManager.default.fileExists(atPath: "\(state)/files/started") || ((try? FileManager.default.subpathsOfDirectory(atPath: state))?.contains { $0.hasSuffix("started") } ?? false) }, "the recipe never started")
        p.signal(SIGINT)
        #expect(p.wait(seconds: 60) == 4)
        #expect(errorMessage(json("\(base)/r.json")) == "limit: stopped by SIGINT")
    }

    // MARK: stuck in C: the grace and the second signal

    /// A script stuck inside string.find, where no hook reaches; it writes a file first so
    /// the test knows it got there.
    func stuck() throws -> String {
        try recipe("stuck", """
            require("unidesk.fs").write("started", "yes")
            string.find(string.rep("a", 40000), ".-.-.-.-.-.-b")
            """)
    }

    func started(_ state: String) -> Bool {
        (try? FileManager.default.subpathsOfDirectory(atPath: state))?.contains { $0.hasSuffix("started") } ?? false
    }

    /// CPU seconds process `pid` has used (utime + stime of /proc/PID/stat).
    func cpuSeconds(_ pid: pid_t) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) else { return 0 }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Waits until the stuck recipe is inside string.find: it wrote its marker, and has
    /// used half a second of CPU since (nothing else in it takes a fraction of that).
    func insideStringFind(_ p: ChildProcess, state: String) -> Bool {
        guard wait(60, { started(state) }) else { return false }
        let before = cpuSeconds(p.pid)
        return wait(60) { cpuSeconds(p.pid) - before >= 0.5 }
    }

    @Test func aRunStuckInCIsStoppedHardWhenTheGraceRunsOut() throws {
        defer { cleanup() }
        let r = try stuck()
        let state = "\(base)/state", log = "\(base)/termination-log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let p = try start(["run", r, "--state-dir", state, "--allow", "fs.write:*", "--report", "\(base)/r.json", "--junit", "\(base)/j.xml", "--stop-grace", "1"],
                          environment: ["UNIDESK_TERMINATION_LOG": log])
        defer { if p.exitIfDone() == nil { p.signal(SIGKILL); p.wait() } }
        #expect(insideStringFind(p, state: state), "the recipe never got stuck in string.find")
        p.signal(SIGTERM)
        #expect(p.wait(seconds: 60) == 4)
        let message = errorMessage(json("\(base)/r.json")) ?? ""
        #expect(message.hasPrefix("limit: stopped by SIGTERM and still running 1s later") && message.hasSuffix("stopped hard"), "\(message)")
        #expect((try? String(contentsOfFile: "\(base)/j.xml", encoding: .utf8))?.contains("stopped by SIGTERM") == true)
        let summary = json(log)
        #expect(summary?["status"] as? String == "limit" && (summary?["error"] as? String)?.contains("stopped hard") == true, "\(String(describing: summary))")
    }

    @Test func aSecondSignalStopsHardAtOnce() throws {
        defer { cleanup() }
        let r = try stuck()
        let state = "\(base)/state"
        // A grace far longer than the test waits: only the second signal can end it.
        let p = try start(["run", r, "--state-dir", state, "--allow", "fs.write:*", "--report", "\(base)/r.json", "--stop-grace", "3600"])
        defer { if p.exitIfDone() == nil { p.signal(SIGKILL); p.wait() } }
        #expect(insideStringFind(p, state: state), "the recipe never got stuck in string.find")
        // Two different signals: two of the same kind may merge into one while pending.
        p.signal(SIGTERM)
        p.signal(SIGINT)
        #expect(p.wait(seconds: 60) == 4)
        let message = errorMessage(json("\(base)/r.json")) ?? ""
        #expect(message.hasPrefix("limit: stopped by SIG") && message.hasSuffix("stopped hard"), "\(message)")
    }

    // MARK: an effect that must not be cut

    func fill(_ dir: String, _ marker: String, files: Int, size: Int) throws {
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let content = Data((marker + String(repeating: ".", count: max(0, size - marker.utf8.count))).utf8)
        for i in 0..<files { try content.write(to: URL(fileURLWithPath: "\(dir)/f\(i)")) }
    }

    func fingerprint(_ dir: String) throws -> String {
        try Command.run(["sh", "-c", "cd '\(dir)' && find . -type f -exec sha256sum {} + | sort | sha256sum"],
                        environment: ProcessInfo.processInfo.environment, timeout: 60).stdoutText
    }

    @Test func sigtermDuringARestoreLeavesTheOldDataOrTheRestoredNeverAMix() throws {
        defer { cleanup() }
        let data = "\(base)/data", state = "\(base)/state"
        let take = try recipe("take", "require('unidesk.snapshot').take { app = 'app', volumes = { '\(data)' } }")
        let restore = try recipe("restore", "require('unidesk.snapshot').restore { app = 'app' }\nunidesk.output('after', true)")
        let grants = ["--state-dir", state, "--allow", "snapshot.*", "--allow", "snapshot.*:app//*"]
        try fill(data, "snap", files: 300, size: 1 << 20)
        let taken = try start(["run", take] + grants)
        #expect(taken.wait(seconds: 300) == 0)
        let snap = try fingerprint(data)
        try fill(data, "live", files: 300, size: 1 << 20)
        let live = try fingerprint(data)

        let p = try start(["run", restore, "--report", "\(base)/r.json"] + grants)
        defer { if p.exitIfDone() == nil { p.signal(SIGKILL); p.wait() } }
        let parent = (data as NSString).deletingLastPathComponent
        let extracting = wait(60) {
            let siblings = ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.hasPrefix(".unidesk-restore-") }
            guard let s = siblings.first else { return false }
            return ((try? FileManager.default.contentsOfDirectory(atPath: "\(parent)/\(s)"))?.count ?? 0) > 20
        }
        p.signal(SIGTERM)
        #expect(extracting, "the restore never got going")
        #expect(p.wait(seconds: 120) == 4)
        let after = try fingerprint(data)
        #expect(after == live || after == snap, "the volume holds a mix of old and new data")
        let report = json("\(base)/r.json")
        // The restore finished (or the grace ran out, which leaves the old data); the recipe
        // did not go on after it.
        #expect(errorMessage(report)?.hasPrefix("limit: stopped by SIGTERM") == true, "\(String(describing: report?["error"]))")
        #expect((report?["outputs"] as? [String: Any])?["after"] == nil)
    }

    // MARK: the termination message

    @Test func theTerminationMessageSummarisesTheRunWithSecretsMasked() throws {
        defer { cleanup() }
        let log = "\(base)/termination-log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let r = try recipe("fail", "unidesk.fail('deploy failed with token ' .. unidesk.vars.tok)")
        let p = try start(["run", r, "--secret-env", "API_TOKEN", "--var", "tok=t0ps3cret-value"],
                          environment: ["UNIDESK_TERMINATION_LOG": log, "API_TOKEN": "t0ps3cret-value"])
        #expect(p.wait(seconds: 60) == 1)
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let summary = json(log)
        #expect(summary?["status"] as? String == "failed" && summary?["exit_code"] as? Int == 1, "\(text)")
        #expect(summary?["recipe"] as? String == r && summary?["mode"] as? String == "run", "\(text)")
        #expect((summary?["error"] as? String)?.contains("deploy failed with token") == true, "\(text)")
        #expect(!text.contains("t0ps3cret-value"), "a secret reached the termination message: \(text)")
        #expect(text.utf8.count <= 4096)

        // Not there: nothing is created (outside a pod there is no /dev/termination-log).
        let absent = "\(base)/no-such-log"
        let q = try start(["run", r, "--var", "tok=x"], environment: ["UNIDESK_TERMINATION_LOG": absent])
        #expect(q.wait(seconds: 60) == 1)
        #expect(!FileManager.default.fileExists(atPath: absent))
    }

    @Test func applysTerminationMessageNamesThePlanDigest() throws {
        defer { cleanup() }
        let log = "\(base)/termination-log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let r = try recipe("plain", "unidesk.output('x', 1)")
        let plan = "\(base)/plan.json"
        let p = try start(["plan", r, "--out", plan], environment: ["UNIDESK_TERMINATION_LOG": log])
        #expect(p.wait(seconds: 60) == 0)
        #expect(json(log)?["mode"] as? String == "plan")
        #expect(json(log)?["plan_digest"] as? String == json(plan)?["digest"] as? String && json(plan)?["digest"] != nil)
        let a = try start(["apply", plan], environment: ["UNIDESK_TERMINATION_LOG": log])
        #expect(a.wait(seconds: 60) == 0)
        let summary = json(log)
        let digest = json(plan)?["digest"] as? String
        #expect(digest != nil && summary?["plan_digest"] as? String == digest, "\(String(describing: summary))")
        #expect(summary?["mode"] as? String == "apply" && summary?["status"] as? String == "ok")
    }

    // MARK: logs in a pod

    @Test func logsArePlainWithoutATerminalAndWithNoColor() throws {
        defer { cleanup() }
        let r = try recipe("steps", """
            unidesk.step("build", function() end)
            unidesk.fail("boom")
            """)
        // No terminal (a pod's stdout/stderr are pipes), NO_COLOR unset: no escape sequence.
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = nil
        let piped = try Command.run([try Unidesk.binary().path, "run", r], environment: env, timeout: 60)
        #expect(piped.status == 1)
        #expect(!piped.stderr.contains(0x1B), "an escape sequence without a terminal: \(piped.stderrText)")
        // On a terminal (script(1) gives one) colour is on, unless NO_COLOR or --no-color.
        let onTTY = { (extra: String) throws -> [UInt8] in
            try Command.run(["script", "-qec", "\(extra) '\(try Unidesk.binary().path)' run '\(r)'", "/dev/null"],
                            environment: env.merging(["TERM": "xterm"]) { $1 }, timeout: 60).stdout
        }
        #expect(try onTTY("").contains(0x1B), "the check itself: colour on a terminal")
        #expect(try !onTTY("NO_COLOR=1").contains(0x1B))
        let noColor = try Command.run(["script", "-qec", "'\(try Unidesk.binary().path)' run '\(r)' --no-color", "/dev/null"],
                                      environment: env.merging(["TERM": "xterm"]) { $1 }, timeout: 60).stdout
        #expect(!noColor.contains(0x1B))
    }
}
