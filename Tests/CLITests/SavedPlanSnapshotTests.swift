import Foundation
import Testing

/// `unidesk plan --out` then `unidesk apply` of a snapshot take of a local volume (a
/// directory, as SnapshotRunTests uses one): the take's basis is the app's last-good.
@Suite("CLI saved plans: snapshot")
struct SavedPlanSnapshotTests {
    static let take = """
        local snapshot = require "unidesk.snapshot"
        local m = snapshot.take { app = "shop", volumes = { unidesk.vars.volume } }
        if m.id then unidesk.output("id", m.id) end
        """
    static let info = """
        local m = require("unidesk.snapshot").info { app = "shop" }
        unidesk.output("id", m and m.id or "none")
        """

    func grants(_ r: RecipeRun) -> [String] {
        ["--allow", "snapshot.*", "--allow", "snapshot.*:shop//*", "--var", "volume=\(r.dir.path("volumes/data"))"]
    }

    func volume(_ r: RecipeRun) throws {
        for i in 0..<3 { try r.dir.write("volumes/data/f\(i)", "file \(i)\n") }
    }

    /// The app's last-good snapshot id, read by a run of its own ("none" when there is none).
    func lastGood(_ r: RecipeRun) throws -> String {
        try r.dir.write("info.lua", Self.info)
        let report = r.dir.path("info.json")
        let run = try Unidesk.run(["run", "info.lua", "--state-dir", r.state, "--report", report], in: r.dir.url)
        #expect(run.exitCode == 0, "\(run.summary)")
        let doc = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
        return (doc?["outputs"] as? [String: Any])?["id"] as? String ?? "?"
    }

    @Test("plan → apply performs the take")
    func applied() throws {
        let r = try RecipeRun(Self.take)
        defer { r.remove() }
        try volume(r)
        #expect(try r.planOut(grants(r)).exitCode == 0)
        #expect(try lastGood(r) == "none", "a plan takes nothing")

        let apply = try r.apply(grants(r))
        #expect(apply.exitCode == 0, "\(apply.summary)")
        #expect(apply.stderr.contains("Applied 1 of 1 planned write."), "\(apply.summary)")
        let id = (r.reportJSON?["outputs"] as? [String: Any])?["id"] as? String
        let now = try lastGood(r)
        #expect(id != nil && id == now, "the take apply made is the last-good")
    }

    @Test("a take by another run between plan and apply (the last-good moved): exit 6, no second take")
    func lastGoodMoved() throws {
        let r = try RecipeRun(Self.take)
        defer { r.remove() }
        try volume(r)
        #expect(try r.planOut(grants(r)).exitCode == 0)
        try r.runOther("other.lua", Self.take, grants(r))
        let other = try lastGood(r)
        #expect(other != "none")

        let apply = try r.apply(grants(r))
        #expect(apply.exitCode == 6, "\(apply.summary)")
        #expect(apply.stderr.contains("what it would change is not what the plan saw (last_good changed)\n  last_good: plan saw null, now \"\(other)\"\n"),
                "\(apply.summary)")
        #expect(try lastGood(r) == other, "apply took no snapshot")
    }

    /// The drop rests on the last-good the take just made: this run's own doing, not drift.
    @Test("take then drop in one run: apply performs both as planned")
    func takeThenDrop() throws {
        let r = try RecipeRun("""
            local snapshot = require "unidesk.snapshot"
            snapshot.take { app = "shop", volumes = { unidesk.vars.volume } }
            snapshot.drop { app = "shop" }
            """)
        defer { r.remove() }
        try volume(r)
        #expect(try r.planOut(grants(r)).exitCode == 0)
        let apply = try r.apply(grants(r))
        #expect(apply.exitCode == 0, "\(apply.summary)")
        #expect(apply.stderr.contains("Applied 2 of 2 planned writes."), "\(apply.summary)")
        #expect(try lastGood(r) == "none")
    }
}
