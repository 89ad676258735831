import Foundation
import Testing
import UnideskData
import UnideskProcess

/// SIGTERM (a pod deleted) while a run holds its app's lock: the run stops cleanly (exit 4,
/// `limit: stopped by SIGTERM` in the report and the termination message), and the lock is
/// free at once for the next run, with files and with --state-db. Real processes of the
/// built binary; outcomes are checked, never durations (waits are bounded and generous).
@Suite struct CLIStopTests {
    static let holder = """
        local state = require "unidesk.state"
        local time = require "unidesk.time"
        state.lock("shop", function()
          state.set("shop/holder", "deploying")
          time.sleep(600)
          state.set("shop/holder", "done")
        end)
        """

    /// Starts the holder with a report and a termination log; SIGTERM once it holds the lock
    /// (`holding` says when); then what the report and the termination log say.
    func stopHolder(_ recipes: CLIStateTests.Recipes, _ args: [String], holding: (pid_t) throws -> Bool) throws
        -> (status: Int32?, report: DataValue?, termination: DataValue?) {
        let report = "\(recipes.dir)/holder-report.json"
        let termination = "\(recipes.dir)/termination-log"
        FileManager.default.createFile(atPath: termination, contents: nil)
        var env = CLIStateTests.environment
        env["UNIDESK_TERMINATION_LOG"] = termination
        let p = try ChildProcess([try CLIStateTests.binary(), "run", "\(recipes.dir)/holder.lua", "--no-color", "--report", report] + args,
                                 environment: env)
        defer { if p.exitIfDone() == nil { p.signal(SIGKILL); p.wait() } }
        #expect(try holding(p.pid), "the holder never took the lock")
        p.signal(SIGTERM)
        let status = p.wait(seconds: 120)
        let decode = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { try? JSON.decode($0) } }
        return (status, decode(report), decode(termination))
    }

    func check(_ r: (status: Int32?, report: DataValue?, termination: DataValue?)) {
        #expect(r.status == 4, "exit \(String(describing: r.status)), not 4 (limit)")
        #expect(r.report?["status"]?.stringValue == "limit", "\(String(describing: r.report))")
        #expect(r.report?["error"]?["message"]?.stringValue == "limit: stopped by SIGTERM", "\(String(describing: r.report?["error"]))")
        #expect(r.termination?["status"]?.stringValue == "limit" && r.termination?["exit_code"] == .int(4), "\(String(describing: r.termination))")
        #expect(r.termination?["error"]?.stringValue == "limit: stopped by SIGTERM", "\(String(describing: r.termination))")
    }

    @Test func sigtermReleasesTheFileLock() throws {
        let recipes = try CLIStateTests.Recipes(["holder.lua": Self.holder, "contender.lua": CLIStateTests.contender])
        defer { recipes.remove() }
        let state = ["--state-dir", "\(recipes.dir)/state", "--allow", "state.*"]
        let r = try stopHolder(recipes, state) { _ in
            let until = Date().addingTimeInterval(60)
            while Date() < until {
                if FileManager.default.fileExists(atPath: "\(recipes.dir)/state/state/shop/holder.json") { return true }
                usleep(20_000)
            }
            return false
        }
        check(r)
        // wait = 0: the lock must be free now, not after some timeout.
        let next = try recipes.run("contender.lua", state + ["--var", "wait=0"])
        #expect(next.status == 0 && next.outputs["ok"] == .bool(true), "\(next.stderr) \(next.outputs)")
        #expect(next.outputs["saw"] == .string("deploying"), "the stopped run's write before the stop is there: \(next.outputs)")
    }

    @Test func sigtermReleasesTheAdvisoryLockAndClosesTheConnections() throws {
        let db = try ScratchDatabase()
        let recipes = try CLIStateTests.Recipes(["holder.lua": Self.holder, "contender.lua": CLIStateTests.contender])
        defer { recipes.remove(); db.drop() }
        let state = ["--state-db", try db.conninfo(), "--allow", "state.*"]
        var holderPID: pid_t = 0
        let r = try stopHolder(recipes, state) { pid in
            holderPID = pid
            guard try CLIStateTests().waitForLock(of: pid, in: db, seconds: 60) else { return false }
            // And its write under the lock is done: it is in time.sleep now.
            let until = Date().addingTimeInterval(60)
            while Date() < until {
                if (try? db.query("SELECT count(*) FROM unidesk_state WHERE key = 'shop/holder'")) == [[.int(1)]] { return true }
                usleep(20_000)
            }
            return false
        }
        check(r)
        // The stopped run closed its sessions itself (it did not leave them to the server).
        #expect(try db.query("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE $1",
                             [.text("unidesk pid \(holderPID) on %")]) == [[.int(0)]])
        let next = try recipes.run("contender.lua", state + ["--var", "wait=0"])
        #expect(next.status == 0 && next.outputs["ok"] == .bool(true), "\(next.stderr) \(next.outputs)")
        #expect(next.outputs["saw"] == .string("deploying"), "\(next.outputs)")
    }

    /// Waits until `condition` holds (checked every 20 ms), up to `seconds`.
    func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let until = Date().addingTimeInterval(seconds)
        while Date() < until { if try condition() { return true }; usleep(20_000) }
        return false
    }

    /// Starts `recipe` with a report and a stop grace of 3 s, signals it once `ready` holds,
    /// and returns its exit status and the report's error message. A clean stop takes a
    /// fraction of the grace; a wait that did not end early would be stopped hard instead.
    func stopWaiter(_ recipes: CLIStateTests.Recipes, _ recipe: String, _ args: [String], environment extra: [String: String] = [:],
                    ready: (pid_t) throws -> Bool) throws -> (status: Int32?, message: String?) {
        let report = "\(recipes.dir)/\(recipe).json"
        let p = try ChildProcess([try CLIStateTests.binary(), "run", "\(recipes.dir)/\(recipe)", "--no-color", "--report", report, "--stop-grace", "3"] + args,
                                 environment: CLIStateTests.environment.merging(extra) { $1 })
        defer { if p.exitIfDone() == nil { p.signal(SIGKILL); p.wait() } }
        #expect(try ready(p.pid), "\(recipe) never got to its wait")
        p.signal(SIGTERM)
        let status = p.wait(seconds: 60)
        let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
        return (status, (try? JSON.decode(text))?["error"]?["message"]?.stringValue)
    }

    @Test func sigtermEndsAWaitForTheLockAndAStatementInFlight() throws {
        let db = try ScratchDatabase()
        let recipes = try CLIStateTests.Recipes(["holder.lua": Self.holder, "contender.lua": CLIStateTests.contender, "sleep.lua": """
            local pg = require "unidesk.pg"
            local c = pg.connect(unidesk.env("DSN"))
            c:exec("SELECT pg_sleep(600)")
            """])
        defer { recipes.remove(); db.drop() }
        let files = ["--state-dir", "\(recipes.dir)/state", "--allow", "state.*"]
        let holder = try recipes.start("holder.lua", files)
        defer { if holder.exitIfDone() == nil { holder.signal(SIGKILL); holder.wait() } }
        #expect(eventually(60) { FileManager.default.fileExists(atPath: "\(recipes.dir)/state/state/shop/holder.json") })

        // Waiting for the file lock: it has the lock file open.
        let file = try stopWaiter(recipes, "contender.lua", files + ["--var", "wait=600"]) { pid in
            eventually(60) {
                ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).contains {
                    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)"))?.hasSuffix("/.locks/shop.lock") == true
                }
            }
        }
        #expect(file.status == 4 && file.message == "limit: stopped by SIGTERM", "\(file)")

        // Waiting for the advisory lock: its connection is there.
        let dsn = try db.conninfo()
        let database = ["--state-db", dsn, "--allow", "state.*"]
        let dbHolder = try recipes.start("holder.lua", database)
        defer { if dbHolder.exitIfDone() == nil { dbHolder.signal(SIGKILL); dbHolder.wait() } }
        #expect(try CLIStateTests().waitForLock(of: dbHolder.pid, in: db, seconds: 60))
        let advisory = try stopWaiter(recipes, "contender.lua", database + ["--var", "wait=600"]) { pid in
            try eventually(60) {
                try db.query("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE $1", [.text("unidesk pid \(pid) on %")]) == [[.int(1)]]
            }
        }
        #expect(advisory.status == 4 && advisory.message == "limit: stopped by SIGTERM", "\(advisory)")

        // A statement in flight: cancelled on the server, the connection closed.
        let statement = try stopWaiter(recipes, "sleep.lua", ["--secret-env", "DSN", "--allow", "pg.*"], environment: ["DSN": dsn]) { _ in
            try eventually(60) {
                try db.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'SELECT pg_sleep(600)' AND state = 'active'") == [[.int(1)]]
            }
        }
        #expect(statement.status == 4 && statement.message == "limit: stopped by SIGTERM", "\(statement)")
        #expect(try eventually(30) {
            try db.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'SELECT pg_sleep(600)'") == [[.int(0)]]
        }, "the statement still runs on the server")
    }
}
