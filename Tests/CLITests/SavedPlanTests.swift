import Foundation
import Testing

/// `unidesk plan --out` then `unidesk apply` of recipes writing state and files, through the
/// real binary: apply performs exactly the planned writes, and exits 6 without performing
/// anything more when what the plan read, or what a write would replace, changed since.
@Suite("CLI saved plans: state and fs")
struct SavedPlanTests {
    static let grants = ["--allow", "state.*"]

    /// Reads a counter, then writes it and a greeting.
    static let counter = """
        local state = require "unidesk.state"
        local n = state.get("counter")
        state.set("counter", (n or 0) + 1)
        state.set("greeting", "hello")
        """

    @Test("state: apply performs exactly the planned writes, the plan itself none")
    func stateApplied() throws {
        let r = try RecipeRun(Self.counter)
        defer { r.remove() }
        let plan = try r.planOut(Self.grants)
        #expect(plan.exitCode == 0, "\(plan.summary)")
        #expect(plan.stderr.contains("Saved the plan to plan.json."), "\(plan.summary)")
        #expect(r.stored("counter") == nil && r.stored("greeting") == nil, "a plan performs nothing")

        let apply = try r.apply(Self.grants)
        #expect(apply.exitCode == 0, "\(apply.summary)")
        #expect(apply.stderr.contains("Applied 2 of 2 planned writes."), "\(apply.summary)")
        #expect(r.stored("counter") == "1" && r.stored("greeting") == "\"hello\"")
        #expect(r.applied?["planned_writes"] as? Int == 2 && r.applied?["performed_writes"] as? Int == 2, "\(r.applied ?? [:])")
        #expect((r.applied?["unreached"] as? [Any])?.isEmpty == true)
        #expect(r.reportJSON?["status"] as? String == "ok")
    }

    @Test("state: a value another run changed after the plan: exit 6 at the read, the other run's value stays")
    func stateReadDrift() throws {
        let r = try RecipeRun(Self.counter)
        defer { r.remove() }
        #expect(try r.planOut(Self.grants).exitCode == 0)
        try r.runOther("other.lua", #"require("unidesk.state").set("counter", 41)"#, Self.grants)

        let apply = try r.apply(Self.grants)
        #expect(apply.exitCode == 6, "\(apply.summary)")
        #expect(apply.stderr.contains("Drift: state.get:counter: what it reads changed since the plan\n  plan saw: [null]\n  now:      [41]\n  Nothing was performed after this point. Make a new plan: what this one saw has changed (an earlier apply of it counts).\n"),
                "\(apply.summary)")
        #expect(apply.stderr.contains("Not reached (2 planned effects not performed):\n  - state.set:counter (create)\n  - state.set:greeting (create)\n"), "\(apply.summary)")
        #expect(apply.stderr.contains("Applied 0 of 2 planned writes."), "\(apply.summary)")
        #expect(r.stored("counter") == "41" && r.stored("greeting") == nil, "nothing performed after the drift")
        #expect(r.reportJSON?["status"] as? String == "drift" && r.reportJSON?["exit_code"] as? Int == 6)
        let drift = r.applied?["drift"] as? [String: Any]
        #expect(drift?["capability"] as? String == "state.get:counter", "\(r.applied ?? [:])")
        #expect(r.applied?["performed_writes"] as? Int == 0)
    }

    @Test("state: a write whose stored value changed after the plan: exit 6 at the write, before it")
    func stateBasisDrift() throws {
        let r = try RecipeRun("""
            local state = require "unidesk.state"
            state.set("greeting", "hello")
            state.set("other", "x")
            """)
        defer { r.remove() }
        #expect(try r.planOut(Self.grants).exitCode == 0)
        try r.runOther("other.lua", #"require("unidesk.state").set("greeting", "hi")"#, Self.grants)

        let apply = try r.apply(Self.grants)
        #expect(apply.exitCode == 6, "\(apply.summary)")
        #expect(apply.stderr.contains("Drift: state.set:greeting: what it would change is not what the plan saw (stored changed)\n  stored: plan saw null, now \"hi\"\n"),
                "\(apply.summary)")
        #expect(r.stored("greeting") == "\"hi\"" && r.stored("other") == nil)
    }

    @Test("state: a recipe that catches the drift error still performs nothing after it")
    func caughtDriftPerformsNothing() throws {
        let r = try RecipeRun("""
            local state = require "unidesk.state"
            local ok, err = pcall(state.set, "greeting", "hello")
            print("caught: " .. tostring(not ok) .. " " .. tostring(type(err) == "table" and err.kind))
            state.set("other", "x")
            """)
        defer { r.remove() }
        #expect(try r.planOut(Self.grants).exitCode == 0)
        try r.runOther("other.lua", #"require("unidesk.state").set("greeting", "hi")"#, Self.grants)

        let apply = try r.apply(Self.grants)
        #expect(apply.exitCode == 6, "\(apply.summary)")
        #expect(apply.stdout.contains("caught: true drift"), "\(apply.summary)")
        #expect(r.stored("greeting") == "\"hi\"" && r.stored("other") == nil, "the write after the caught drift was not performed")
        let other = (r.reportJSON?["audit"] as? [[String: Any]])?.first { $0["capability"] as? String == "state.set:other" }
        #expect(other?["outcome"] as? String == "drift", "\(other ?? [:])")
    }

    @Test("state: a plan applied once is not applied again (exit 6: the world is no longer the one it saw)")
    func reapplyDrifts() throws {
        let r = try RecipeRun(Self.counter)
        defer { r.remove() }
        #expect(try r.planOut(Self.grants).exitCode == 0)
        #expect(try r.apply(Self.grants).exitCode == 0)

        let again = try r.apply(Self.grants)
        #expect(again.exitCode == 6, "\(again.summary)")
        // The message names the read and both values: what the plan saw is what the first
        // apply changed.
        #expect(again.stderr.contains("Drift: state.get:counter: what it reads changed since the plan\n  plan saw: [null]\n  now:      [1]\n"), "\(again.summary)")
        #expect(again.stderr.contains("Applied 0 of 2 planned writes."), "\(again.summary)")
        #expect(r.stored("counter") == "1", "not incremented a second time")
    }

    // MARK: fs

    /// Reads a file of its own directory and writes it, upper-cased, under the state directory.
    static let copy = """
        local fs = require "unidesk.fs"
        fs.write("out/copy.txt", fs.read("input.txt"):upper())
        """
    static let fsGrants = ["--allow", "fs.write:out/*"]

    @Test("fs: apply writes the planned file")
    func fsApplied() throws {
        let r = try RecipeRun(Self.copy)
        defer { r.remove() }
        try r.dir.write("input.txt", "one\n")
        #expect(try r.planOut(Self.fsGrants).exitCode == 0)
        let files = (r.planJSON?["recipe"] as? [String: Any])?["files"] as? [[String: Any]] ?? []
        #expect(files.compactMap { $0["path"] as? String } == ["recipe.lua", "input.txt"], "the file read is part of the recipe digest")
        #expect(r.stateFiles.isEmpty)

        let apply = try r.apply(Self.fsGrants)
        #expect(apply.exitCode == 0, "\(apply.summary)")
        #expect(try String(contentsOfFile: r.dir.path("state/out/copy.txt"), encoding: .utf8) == "ONE\n")
    }

    @Test("fs: the file the recipe read edited after the plan: exit 6 before anything runs")
    func fsReadFileEdited() throws {
        let r = try RecipeRun(Self.copy)
        defer { r.remove() }
        try r.dir.write("input.txt", "one\n")
        #expect(try r.planOut(Self.fsGrants).exitCode == 0)
        try r.dir.write("input.txt", "two\n")

        let apply = try r.apply(Self.fsGrants)
        #expect(apply.exitCode == 6, "\(apply.summary)")
        #expect(apply.stderr.contains("error: drift: input.txt changed since the plan (the recipe and every file it read must be what was reviewed); plan again"),
                "\(apply.summary)")
        #expect(r.stateFiles.isEmpty, "nothing ran: \(r.stateFiles)")
        #expect(r.reportJSON?["status"] as? String == "drift")
        #expect((r.reportJSON?["audit"] as? [Any])?.isEmpty ?? true, "no call was made")
    }

    @Test("fs: the target written by hand after the plan: exit 6, the hand-written file stays")
    func fsTargetChanged() throws {
        let r = try RecipeRun(Self.copy)
        defer { r.remove() }
        try r.dir.write("input.txt", "one\n")
        #expect(try r.planOut(Self.fsGrants).exitCode == 0)
        try r.dir.write("state/out/copy.txt", "by hand\n")

        let apply = try r.apply(Self.fsGrants)
        #expect(apply.exitCode == 6, "\(apply.summary)")
        #expect(apply.stderr.contains("Drift: fs.write:out/copy.txt: what it would change is not what the plan saw (content changed)\n  content: plan saw null, now \"sha256:"),
                "\(apply.summary)")
        #expect(try String(contentsOfFile: r.dir.path("state/out/copy.txt"), encoding: .utf8) == "by hand\n")
    }

    // MARK: unidesk.volatile

    /// Reads a heartbeat (inside unidesk.volatile or not), then writes something that does
    /// not depend on it.
    static func heartbeat(volatile: Bool) -> String {
        """
        local state = require "unidesk.state"
        local beat = \(volatile ? #"unidesk.volatile(state.get, "beat")"# : #"state.get("beat")"#)
        print("beat " .. tostring(beat))
        state.set("out", "done")
        """
    }

    @Test("unidesk.volatile: a read inside it that changed since the plan is not drift; the same read outside is",
          arguments: [true, false])
    func volatileRead(_ volatile: Bool) throws {
        let r = try RecipeRun(Self.heartbeat(volatile: volatile))
        defer { r.remove() }
        let beat = #"require("unidesk.state").set("beat", unidesk.vars.n)"#
        try r.runOther("beat.lua", beat, Self.grants + ["--var", "n=1"])
        #expect(try r.planOut(Self.grants).exitCode == 0)
        let calls = r.planJSON?["calls"] as? [[String: Any]] ?? []
        #expect(calls.first { $0["capability"] as? String == "state.get:beat" }?["volatile"] as? Bool == (volatile ? true : nil), "\(calls)")
        try r.runOther("beat.lua", beat, Self.grants + ["--var", "n=2"])

        let apply = try r.apply(Self.grants)
        if volatile {
            #expect(apply.exitCode == 0, "\(apply.summary)")
            #expect(apply.stdout.contains("beat 2"), "\(apply.summary)")
            #expect(r.stored("out") == "\"done\"")
        } else {
            #expect(apply.exitCode == 6, "\(apply.summary)")
            #expect(apply.stderr.contains("Drift: state.get:beat: what it reads changed since the plan\n  plan saw: [\"1\"]\n  now:      [\"2\"]\n"), "\(apply.summary)")
            #expect(r.stored("out") == nil)
        }
    }
}
