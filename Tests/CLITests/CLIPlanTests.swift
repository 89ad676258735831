import Foundation
import Testing

/// `unidesk plan` through the real binary: the printed plan, the report's verdicts and the
/// exit code say the same thing.
@Suite("CLI plan output")
struct CLIPlanTests {
    static let write = #"require("unidesk.fs").write("out/result.txt", "done")"#

    func planned(_ r: RecipeRun) -> [[String: Any]] {
        ((r.reportJSON?["effects"] as? [String: Any])?["planned"] as? [[String: Any]]) ?? []
    }

    @Test("exit 0: a new file is a create; once written, the same plan says No changes")
    func createThenNoChanges() throws {
        let r = try RecipeRun(Self.write)
        defer { r.remove() }
        let plan = try r.run("plan", ["--allow", "fs.write:out/*", "--report", r.report])
        #expect(plan.exitCode == 0, "\(plan.summary)")
        #expect(plan.stderr.contains("[plan] fs.write:out/result.txt (create)\n"), "\(plan.summary)")
        #expect(plan.stderr.contains("  + create     fs.write:out/result.txt\n"), "\(plan.summary)")
        #expect(plan.stderr.contains("Plan: 1 to create, 0 to change, 0 to replace, 0 to delete, 0 unchanged.\n"), "\(plan.summary)")
        #expect(planned(r).first?["verdict"] as? String == "create")

        #expect(try r.run("run", ["--allow", "fs.write:out/*"]).exitCode == 0)
        let again = try r.run("plan", ["--allow", "fs.write:out/*", "--report", r.report])
        #expect(again.exitCode == 0, "\(again.summary)")
        #expect(again.stderr.contains("[plan] fs.write:out/result.txt (unchanged)\n"), "\(again.summary)")
        #expect(again.stderr.contains("No changes. 1 planned effect unchanged.\n"), "\(again.summary)")
        #expect(!again.stderr.contains("Plan:"), "\(again.summary)")
        #expect(planned(r).first?["verdict"] as? String == "unchanged")
    }

    @Test("exit 0: a changed file shows the change")
    func change() throws {
        let r = try RecipeRun(#"require("unidesk.fs").write("out/result.txt", unidesk.mode == "run" and "old" or "newer")"#)
        defer { r.remove() }
        #expect(try r.run("run", ["--allow", "fs.write:out/*"]).exitCode == 0)
        let plan = try r.run("plan", ["--allow", "fs.write:out/*", "--report", r.report])
        #expect(plan.exitCode == 0, "\(plan.summary)")
        #expect(plan.stderr.contains("[plan] fs.write:out/result.txt (change: content)\n"), "\(plan.summary)")
        #expect(plan.stderr.contains("  ~ change     fs.write:out/result.txt\n      content: 3 → 5 bytes\n"), "\(plan.summary)")
        #expect(planned(r).first?["changes"] as? [String] == ["content: 3 → 5 bytes"])
    }

    @Test("exit 3: a denial is listed with the grant that would allow it, never as nothing to change")
    func denied() throws {
        let r = try RecipeRun(Self.write)
        defer { r.remove() }
        let plan = try r.run("plan", ["--report", r.report])
        #expect(plan.exitCode == 3, "\(plan.summary)")
        #expect(plan.stderr.contains("Denied (would need --allow 'fs.write:out/result.txt'):\n  ! fs.write:out/result.txt  (unidesk.fs.write)\n"), "\(plan.summary)")
        #expect(plan.stderr.contains("Plan: 0 to create, 0 to change, 0 to replace, 0 to delete, 0 unchanged, 1 denied.\n"), "\(plan.summary)")
        #expect(!plan.stderr.contains("nothing would change") && !plan.stderr.contains("No changes"), "\(plan.summary)")
        let denied = (r.reportJSON?["effects"] as? [String: Any])?["denied"] as? [[String: Any]] ?? []
        #expect(denied.first?["grant"] as? String == "fs.write:out/result.txt")
        // With the grant it names, the same plan passes.
        #expect(try r.run("plan", ["--allow", "fs.write:out/result.txt"]).exitCode == 0)
    }

    @Test("exit 1: a recipe that fails midway is an incomplete plan, never No changes")
    func failed() throws {
        let r = try RecipeRun(Self.write + "\nerror('the desired state is broken')\n")
        defer { r.remove() }
        let plan = try r.run("plan", ["--allow", "fs.write:out/*"])
        #expect(plan.exitCode == 1, "\(plan.summary)")
        #expect(plan.stderr.contains("Plan incomplete: the recipe stopped (failed, exit 1)"), "\(plan.summary)")
        #expect(!plan.stderr.contains("No changes"), "\(plan.summary)")
    }

    @Test("exit 1 before any effect: only 'Plan incomplete', no line of zero counts")
    func failedBeforeAnyEffect() throws {
        let r = try RecipeRun("error('the desired state is broken')\n" + Self.write)
        defer { r.remove() }
        let plan = try r.run("plan", ["--allow", "fs.write:out/*"])
        #expect(plan.exitCode == 1, "\(plan.summary)")
        #expect(plan.stderr.contains("Plan incomplete: the recipe stopped (failed, exit 1) before it planned any effect; what it would have done is not listed.\n"),
                "\(plan.summary)")
        #expect(!plan.stderr.contains("Plan:"), "\(plan.summary)")
    }

    @Test("plan --offline: registry.head returns {planned, unknown} and the plan lists it as unknown")
    func offline() throws {
        let r = try RecipeRun("""
            local a = require("unidesk.registry").head("127.0.0.1:5000/unidesk/app:v1")
            print("exists=" .. tostring(a.exists) .. " unknown=" .. tostring(a.unknown))
            """)
        defer { r.remove() }
        let plan = try r.run("plan", ["--offline", "--report", r.report])
        #expect(plan.exitCode == 0, "\(plan.summary)")
        #expect(plan.stdout.contains("exists=nil unknown=true"), "\(plan.summary)")
        #expect(plan.stderr.contains("[plan] registry.head:127.0.0.1:5000/unidesk/app (unknown)\n"), "\(plan.summary)")
        #expect(plan.stderr.contains("  ? registry.head:127.0.0.1:5000/unidesk/app\n"), "\(plan.summary)")
        #expect(plan.stderr.contains("1 unknown read."), "\(plan.summary)")
        #expect(planned(r).first?["verdict"] as? String == "unknown")
    }
}
