import Foundation
import Testing

/// A snapshot's scope names every volume and host path it touches: the app's grant does
/// not let a recipe copy or overwrite any host directory. Host paths only: no engine needed.
@Suite struct SnapshotScopeTests {
    /// A recipe directory with `data/` (a host path to snapshot) beside it.
    func recipe(_ body: String) throws -> (RecipeRun, String) {
        let r = try RecipeRun("local snapshot = require \"unidesk.snapshot\"\nlocal data = unidesk.vars.data\n" + body)
        try r.dir.write("data/f.txt", "before\n")
        // The scope names the real path (what tar reads), whatever the temp dir's spelling.
        let data = URL(fileURLWithPath: r.dir.path("data")).resolvingSymlinksInPath().path
        return (r, data)
    }

    func denied(_ r: RecipeRun) -> [[String: Any]] {
        (r.reportJSON?["effects"] as? [String: Any])?["denied"] as? [[String: Any]] ?? []
    }

    @Test("take of a host path with only the app's grants: denied naming the path, nothing written to the state dir")
    func hostPathNeedsItsOwnGrant() throws {
        let (r, data) = try recipe(#"snapshot.take { app = "myapp", volumes = { data } }"#)
        defer { r.remove() }
        let result = try r.run("run", ["--allow", "snapshot.*:myapp", "--allow", "snapshot.*:myapp/*", "--var", "data=\(data)", "--report", r.report])
        #expect(result.exitCode == 3, "\(result.summary)")
        #expect(result.stderr.contains("policy denied snapshot.take:myapp/\(data)"), "the denial names the path. \(result.summary)")
        #expect(r.stateFiles.isEmpty, "written to the state dir: \(r.stateFiles)")
        #expect(denied(r).map { $0["grant"] as? String } == ["snapshot.take:myapp/\(data)"], "the exact grant, not a wider one")
    }

    @Test("take: every target is checked first; an ungranted volume beside a granted path stops the take")
    func everyTargetIsChecked() throws {
        let (r, data) = try recipe(#"snapshot.take { app = "myapp", volumes = { data, "appdata" } }"#)
        defer { r.remove() }
        let result = try r.run("run", ["--allow", "snapshot.take:myapp/\(data)", "--var", "data=\(data)", "--report", r.report])
        #expect(result.exitCode == 3, "\(result.summary)")
        #expect(result.stderr.contains("policy denied snapshot.take:myapp/appdata"), "\(result.summary)")
        #expect(r.stateFiles.isEmpty, "written to the state dir: \(r.stateFiles)")
        let audit = r.reportJSON?["audit"] as? [[String: Any]] ?? []
        #expect(audit.map { $0["outcome"] as? String } == ["denied"], "only the denial is recorded; nothing was performed: \(audit)")
    }

    @Test("restore over a host path without its grant: denied naming the path, the directory keeps its data")
    func restoreOverAHostPathNeedsItsOwnGrant() throws {
        let (r, data) = try recipe("""
            if unidesk.vars.step == "take" then snapshot.take { app = "myapp", volumes = { data } } else snapshot.restore { app = "myapp" } end
            """)
        defer { r.remove() }
        let take = try r.run("run", ["--allow", "snapshot.take:myapp/\(data)", "--var", "data=\(data)", "--var", "step=take"])
        #expect(take.exitCode == 0, "\(take.summary)")
        try r.dir.write("data/f.txt", "after\n")

        let appGrants = ["--allow", "snapshot.restore:myapp", "--allow", "snapshot.restore:myapp/*", "--var", "data=\(data)", "--var", "step=restore"]
        let refused = try r.run("run", appGrants)
        #expect(refused.exitCode == 3, "\(refused.summary)")
        #expect(refused.stderr.contains("policy denied snapshot.restore:myapp/\(data)"), "\(refused.summary)")
        #expect(try String(contentsOfFile: "\(data)/f.txt", encoding: .utf8) == "after\n", "the denied restore changed the directory")

        let granted = try r.run("run", appGrants + ["--allow", "snapshot.restore:myapp//*"])
        #expect(granted.exitCode == 0, "\(granted.summary)")
        #expect(try String(contentsOfFile: "\(data)/f.txt", encoding: .utf8) == "before\n")
    }

    @Test("plan: every target is listed, with the size the last-good holds")
    func planListsEveryTarget() throws {
        let (r, data) = try recipe(#"snapshot.take { app = "myapp", volumes = { data, "appdata" } }"#)
        defer { r.remove() }
        let result = try r.run("plan", ["--allow", "snapshot.*:myapp/*", "--allow", "snapshot.*:myapp//*", "--var", "data=\(data)", "--report", r.report])
        #expect(result.exitCode == 0, "\(result.summary)")
        let planned = (r.reportJSON?["effects"] as? [String: Any])?["planned"] as? [[String: Any]] ?? []
        #expect(planned.map { $0["capability"] as? String } == ["snapshot.take:myapp/\(data)", "snapshot.take:myapp/appdata"], "\(planned)")
        #expect(planned.map { $0["detail"] as? String } == ["snapshot host path \(data) into the new last-good of myapp",
                                                            "snapshot volume appdata into the new last-good of myapp"])
        #expect(r.stateFiles.isEmpty)
    }
}
