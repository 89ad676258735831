import Foundation
import Testing
import UnideskData
import UnideskPostgres
import UnideskProcess

/// `unidesk run --state-db` as CI workers use it: real processes of the built binary
/// ($UNIDESK_BIN) contending for one app's lock in the stack's PostgreSQL.
@Suite struct CLIStateTests {
    /// The binary under test; missing fails the test, it never skips.
    static func binary() throws -> String {
        try StackEnvironment.postgres.executable("UNIDESK_BIN")
    }

    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["UNIDESK_STATE_DIR"] = nil
        env["UNIDESK_STATE_DB"] = nil
        return env
    }

    /// A directory with the test's recipes, removed by `remove()`.
    final class Recipes {
        let dir = NSTemporaryDirectory() + "unidesk-state-cli-\(UUID().uuidString)"

        init(_ files: [String: String]) throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for (name, text) in files { try text.write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8) }
        }

        func remove() { try? FileManager.default.removeItem(atPath: dir) }

        /// Starts `unidesk <command> <recipe> args…` and leaves it running.
        func start(_ recipe: String, _ args: [String], command: String = "run") throws -> ChildProcess {
            try ChildProcess([try CLIStateTests.binary(), command, "\(dir)/\(recipe)", "--no-color"] + args,
                             environment: CLIStateTests.environment)
        }

        /// Runs it to the end; its exit status, stderr and the report's outputs.
        func run(_ recipe: String, _ args: [String], command: String = "run", environment: [String: String] = [:]) throws
            -> (status: Int32, stderr: String, report: String, outputs: [String: DataValue]) {
            let report = "\(dir)/report-\(UUID().uuidString.prefix(8)).json"
            let r = try Command.run([try CLIStateTests.binary(), command, "\(dir)/\(recipe)", "--no-color", "--report", report] + args,
                                    environment: CLIStateTests.environment.merging(environment) { $1 }, timeout: 60)
            let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
            var outputs: [String: DataValue] = [:]
            if case .object(let top)? = try? JSON.decode(text), case .object(let o)? = top.first(where: { $0.0 == "outputs" })?.1 {
                outputs = Dictionary(o, uniquingKeysWith: { $1 })
            }
            return (r.status, r.stderrText, text, outputs)
        }
    }

    static let holder = """
        local state = require "unidesk.state"
        local time = require "unidesk.time"
        state.lock("shop", function()
          state.set("shop/holder", "deploying")
          time.sleep(tonumber(unidesk.vars.hold))
          state.set("shop/holder", "done")
        end)
        """

    static let contender = """
        local state = require "unidesk.state"
        local time = require "unidesk.time"
        local t0 = time.monotonic()
        local ok, r = pcall(state.lock, "shop", function() return state.get("shop/holder") end, { timeout = tonumber(unidesk.vars.wait) })
        unidesk.output("ok", ok)
        unidesk.output("waited", time.monotonic() - t0)
        if ok then unidesk.output("saw", r) else unidesk.output("error", { kind = r.kind, holder = r.holder or "", message = r.message }) end
        """

    /// Waits until process `pid` holds an advisory lock in `db` (its connection is named
    /// "unidesk pid N on HOST").
    func waitForLock(of pid: pid_t, in db: ScratchDatabase, seconds: Double = 30) throws -> Bool {
        let until = Date().addingTimeInterval(seconds)
        while Date() < until {
            let n = try db.query("""
                SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() AND a.application_name LIKE $1
                """, [.text("unidesk pid \(pid) on %")])
            if n == [[.int(1)]] { return true }
            usleep(50_000)
        }
        return false
    }

    func field(_ v: DataValue?, _ name: String) -> String? {
        guard case .object(let o)? = v, case .string(let s)? = o.first(where: { $0.0 == name })?.1 else { return nil }
        return s
    }

    func number(_ v: DataValue?) -> Double {
        switch v {
        case .double(let d)?: return d
        case .int(let i)?: return Double(i)
        default: return -1
        }
    }

    @Test func aSecondRunIsBusyNamingTheHolderUntilKill9OfTheHolderReleasesIt() throws {
        let db = try ScratchDatabase()
        let recipes = try Recipes(["holder.lua": Self.holder, "contender.lua": Self.contender])
        defer { recipes.remove(); db.drop() }
        let state = ["--state-db", try db.conninfo(), "--allow", "state.*"]
        let holder = try recipes.start("holder.lua", state + ["--var", "hold=120"])
        #expect(try waitForLock(of: holder.pid, in: db), "the holder never took the lock")

        let busy = try recipes.run("contender.lua", state + ["--var", "wait=0"])
        #expect(busy.status == 0, "\(busy.stderr)")
        #expect(busy.outputs["ok"] == .bool(false))
        #expect(field(busy.outputs["error"], "kind") == "busy", "\(busy.outputs)")
        #expect(field(busy.outputs["error"], "holder")?.hasPrefix("unidesk pid \(holder.pid) on ") == true, "\(busy.outputs)")
        #expect(field(busy.outputs["error"], "message")?.hasPrefix("shop is locked by unidesk pid \(holder.pid) on ") == true, "\(busy.outputs)")

        // Uncaught, the same refusal fails the run and says who holds the lock.
        let uncaught = try Recipes(["r.lua": "require('unidesk.state').lock('shop', function() end)"])
        defer { uncaught.remove() }
        let failed = try uncaught.run("r.lua", state)
        #expect(failed.status == 1 && failed.stderr.contains("shop is locked by unidesk pid \(holder.pid) on "), "\(failed.stderr)")

        holder.signal(SIGKILL)
        #expect(holder.wait() == 128 + SIGKILL)
        // The server ends the dead process's session and its lock with it.
        let next = try recipes.run("contender.lua", state + ["--var", "wait=20"])
        #expect(next.status == 0 && next.outputs["ok"] == .bool(true), "\(next.stderr) \(next.outputs)")
        #expect(next.outputs["saw"] == .string("deploying"), "the killed run's last write is there")
        #expect(number(next.outputs["waited"]) < 10, "waited \(number(next.outputs["waited"])) s for a dead holder")
    }

    @Test func aSecondRunWaitsForTheHolderAndThenRuns() throws {
        let db = try ScratchDatabase()
        let recipes = try Recipes(["holder.lua": Self.holder, "contender.lua": Self.contender])
        defer { recipes.remove(); db.drop() }
        let state = ["--state-db", try db.conninfo(), "--allow", "state.*"]
        let holder = try recipes.start("holder.lua", state + ["--var", "hold=3"])
        defer { if holder.exitIfDone() == nil { holder.signal(SIGKILL); holder.wait() } }
        #expect(try waitForLock(of: holder.pid, in: db), "the holder never took the lock")
        let waiter = try recipes.run("contender.lua", state + ["--var", "wait=60"])
        #expect(waiter.status == 0 && waiter.outputs["ok"] == .bool(true), "\(waiter.stderr) \(waiter.outputs)")
        #expect(waiter.outputs["saw"] == .string("done"), "it ran after the holder's whole fn: \(waiter.outputs)")
        #expect(number(waiter.outputs["waited"]) > 1, "waited \(number(waiter.outputs["waited"])) s")
        #expect(holder.wait(seconds: 30) == 0)
    }

    @Test func aPlanStoresNothing() throws {
        let db = try ScratchDatabase()
        let recipes = try Recipes(["r.lua": """
            local state = require "unidesk.state"
            unidesk.output("before", state.get("shop/last-good") or "none")
            state.set("shop/last-good", "2.0.0")
            unidesk.output("deleted", state.delete("shop/canonical"))
            state.lock("shop", function() end)
            """])
        defer { recipes.remove(); db.drop() }
        let state = ["--state-db", try db.conninfo(), "--allow", "state.*"]
        let empty = try recipes.run("r.lua", state, command: "plan")
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.outputs["before"] == .string("none"))
        #expect(try db.query("SELECT to_regclass('unidesk_state') IS NULL") == [[.bool(true)]], "a plan does not even create the table")
        #expect(empty.stderr.contains("state.set:shop/last-good"), "the plan lists the write: \(empty.stderr)")

        let c = try db.connect()
        defer { c.close() }
        _ = try c.execute(#"CREATE TABLE unidesk_state (key text PRIMARY KEY, value jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), updated_by text); INSERT INTO unidesk_state (key, value) VALUES ('shop/last-good', '"1.0.0"'), ('shop/canonical', '"r/shop"')"#, timeout: 10)
        let plan = try recipes.run("r.lua", state, command: "plan")
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.outputs["before"] == .string("1.0.0"), "a plan reads the real state")
        #expect(try db.query("SELECT key, value::text FROM unidesk_state ORDER BY key")
                == [[.text("shop/canonical"), .text(#""r/shop""#)], [.text("shop/last-good"), .text(#""1.0.0""#)]], "and changes nothing")
    }

    @Test func anUnreachableServerFailsTheRunNamingHostAndPortButNotThePassword() throws {
        let password = "Sekr3t-\(UUID().uuidString.prefix(6))"
        let dsn = "postgresql://ci:\(password)@127.0.0.1:1/state?connect_timeout=5"
        let recipes = try Recipes(["r.lua": "unidesk.output('v', require('unidesk.state').get('shop/x'))"])
        defer { recipes.remove() }
        for (args, env) in [(["--state-db", dsn], [:]), ([], ["UNIDESK_STATE_DB": dsn])] {
            let r = try recipes.run("r.lua", args, environment: env)
            #expect(r.status == 1, "\(r.stderr)")
            #expect(r.stderr.contains("cannot reach the state database 127.0.0.1:1/state"), "\(r.stderr)")
            #expect(r.stderr.contains("--state-db / UNIDESK_STATE_DB"), "\(r.stderr)")
            #expect(!r.stderr.contains(password) && !r.report.contains(password), "\(r.stderr)")
            #expect(r.report.contains("\"network\""), "the report has the error's kind")
        }
    }

    @Test func aRecipeBehavesTheSameWithFilesAndWithTheDatabase() throws {
        let db = try ScratchDatabase()
        let recipes = try Recipes(["r.lua": """
            local state = require "unidesk.state"
            local n = (state.get("shop/runs") or 0) + 1
            state.set("shop/runs", n)
            state.set("shop/last-good", { version = "1.4." .. n, digests = { "sha256:aa" }, healthy = true, ratio = 0.5 })
            state.set("shop_x/other", "x")
            unidesk.output("runs", n)
            unidesk.output("last_good", state.get("shop/last-good"))
            unidesk.output("keys", state.keys("shop/"))
            unidesk.output("all", state.keys())
            unidesk.output("deleted", { state.delete("shop_x/other"), state.delete("shop_x/other") })
            unidesk.output("missing", tostring(state.get("shop/nope")))
            unidesk.output("locked", state.lock("shop", function() return state.lock ~= nil end))
            unidesk.output("nested", state.lock("shop", function()
              local ok, e = pcall(state.lock, "shop", function() end)
              return { ok, e.kind, (e.holder:gsub("%d+", "N")) }
            end))
            local raised, err = pcall(state.lock, "shop", function() error("boom") end)
            unidesk.output("after_raise", { raised, tostring(err):find("boom", 1, true) ~= nil, state.lock("shop", function() return "free" end) })
            local ok, e = pcall(state.set, "../escape", 1)
            unidesk.output("bad_key", tostring(e))
            """])
        let stateDir = NSTemporaryDirectory() + "unidesk-state-files-\(UUID().uuidString)"
        defer { recipes.remove(); db.drop(); try? FileManager.default.removeItem(atPath: stateDir) }
        for _ in 0..<2 {
            let files = try recipes.run("r.lua", ["--state-dir", stateDir, "--allow", "state.*"])
            let database = try recipes.run("r.lua", ["--state-dir", stateDir + "-unused", "--state-db", try db.conninfo(), "--allow", "state.*"])
            #expect(files.status == 0 && database.status == 0, "\(files.stderr)\n\(database.stderr)")
            #expect(!files.outputs.isEmpty)
            for key in files.outputs.keys.sorted() {
                #expect(normalised(files.outputs[key]) == normalised(database.outputs[key]), "\(key)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: stateDir + "-unused/state"), "with --state-db nothing goes to files")
        #expect(try db.query("SELECT value::text FROM unidesk_state WHERE key = 'shop/runs'") == [[.text("2")]])
    }

    /// A conninfo libpq cannot parse is a usage error before anything runs (exit 2), from the
    /// flag and from the environment alike, without its password.
    @Test func aMalformedStateDbIsAUsageErrorBeforeTheRun() throws {
        let password = "Sekr3t-\(UUID().uuidString.prefix(6))"
        let recipes = try Recipes(["r.lua": "print('the recipe ran')"])
        defer { recipes.remove() }
        let bad = "host=127.0.0.1 password=\(password) dbname"
        for (args, env) in [(["--state-db", bad], [:]), ([], ["UNIDESK_STATE_DB": bad])] {
            let r = try recipes.run("r.lua", args, environment: env)
            #expect(r.status == 2, "\(r.stderr)")
            #expect(r.stderr.contains("--state-db / UNIDESK_STATE_DB: invalid DSN"), "\(r.stderr)")
            #expect(!r.stderr.contains(password), "\(r.stderr)")
            #expect(r.report.isEmpty, "nothing ran, no report")
        }
    }

    @Test func helpSaysWhatStateDbDoes() throws {
        let r = try Command.run([try Self.binary(), "run", "--help"], environment: Self.environment, timeout: 30)
        let text = r.stdoutText + r.stderrText
        #expect(text.contains("--state-db <conninfo>"), "\(text)")
        let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")   // help wraps lines
        for phrase in ["PostgreSQL", "UNIDESK_STATE_DB", "advisory locks", "unidesk_state"] {
            #expect(words.contains(phrase), "\(phrase) missing: \(text)")
        }
    }
}
