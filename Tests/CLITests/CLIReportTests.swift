import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// --report, --junit and `unidesk plan`, checked by parsing what they write.
@Suite("CLI reports and plan")
struct CLIReportTests {
    /// Three steps: one sets an output, one writes a file, one fails.
    static let threeSteps = """
        local fs = require "unidesk.fs"
        unidesk.step("prepare", function() unidesk.output("version", "1.2.3") end)
        unidesk.step("write", function() fs.write("out/result.txt", "done") end)
        unidesk.step("verify", function() error("verification failed") end)
        """

    @Test("--report: status, exit_code, steps, effects, audit and outputs match the run")
    func reportMatchesRun() throws {
        let r = try RecipeRun(Self.threeSteps)
        defer { r.remove() }
        let result = try r.run("run", ["--allow", "fs.write:out/*", "--report", r.report])
        #expect(result.exitCode == 1, "\(result.summary)")
        #expect(r.stateFiles == ["out/result.txt"], "the granted write happened")

        let report = try #require(r.reportJSON, "no JSON object at \(r.report). \(result.summary)")
        #expect(report["status"] as? String == "failed")
        #expect((report["exit_code"] as? NSNumber)?.intValue == 1)

        let steps = report["steps"] as? [[String: Any]] ?? []
        #expect(steps.map { $0["name"] as? String } == ["prepare", "write", "verify"])
        #expect(steps.map { $0["status"] as? String } == ["ok", "ok", "failed"])
        #expect((steps.last?["error"] as? String)?.contains("verification failed") == true)

        let effects = report["effects"] as? [String: Any] ?? [:]
        let performed = effects["performed"] as? [[String: Any]] ?? []
        #expect(performed.map { $0["capability"] as? String } == ["fs.write:out/result.txt"])
        #expect((effects["planned"] as? [Any])?.isEmpty == true)
        #expect((effects["denied"] as? [Any])?.isEmpty == true)

        let audit = report["audit"] as? [[String: Any]] ?? []
        #expect(audit.count == 1)
        #expect(audit.first?["primitive"] as? String == "unidesk.fs.write")
        #expect(audit.first?["outcome"] as? String == "ok")

        let outputs = report["outputs"] as? [String: Any] ?? [:]
        #expect(outputs["version"] as? String == "1.2.3")
    }

    @Test("--report of a clean run says ok and exit_code 0")
    func reportOfCleanRun() throws {
        let r = try RecipeRun(#"unidesk.step("only", function() unidesk.output("n", 7) end)"#)
        defer { r.remove() }
        let result = try r.run("run", ["--report", r.report])
        #expect(result.exitCode == 0, "\(result.summary)")
        let report = try #require(r.reportJSON, "no JSON object at \(r.report). \(result.summary)")
        #expect(report["status"] as? String == "ok")
        #expect((report["exit_code"] as? NSNumber)?.intValue == 0)
        #expect(((report["outputs"] as? [String: Any])?["n"] as? NSNumber)?.intValue == 7)
    }

    /// A bare file name is in the working directory. The temporary file the report is first
    /// written to must be there too: it once went to "/", and the rename into a working
    /// directory on another filesystem (here the tmpfs /dev/shm) failed.
    @Test("--report and --junit given as bare names are written into the working directory")
    func bareReportNames() throws {
        var shm: stat = stat(), root: stat = stat()
        try #require(stat("/dev/shm", &shm) == 0 && stat("/", &root) == 0 && shm.st_dev != root.st_dev,
                     "this test needs /dev/shm on a filesystem other than /'s")
        let r = try RecipeRun(#"unidesk.step("only", function() unidesk.output("n", 7) end)"#, base: URL(fileURLWithPath: "/dev/shm"))
        defer { r.remove() }
        let result = try r.run("run", ["--report", "report.json", "--junit", "junit.xml"])
        #expect(result.exitCode == 0, "\(result.summary)")
        let report = try #require(r.reportJSON, "no JSON object at \(r.report). \(result.summary)")
        #expect(report["status"] as? String == "ok")
        let junit = try #require(FileManager.default.contents(atPath: r.junit), "no JUnit file. \(result.summary)")
        #expect(isWellFormedXML(junit))
        let left = (try? FileManager.default.contentsOfDirectory(atPath: r.dir.url.path)) ?? []
        #expect(left.sorted() == ["junit.xml", "recipe.lua", "report.json", "state"], "no temporary file is left behind")
    }

    @Test("--junit: one testcase per step, a <failure> in the failed one only")
    func junit() throws {
        let r = try RecipeRun(Self.threeSteps)
        defer { r.remove() }
        let result = try r.run("run", ["--allow", "fs.write:out/*", "--junit", r.junit])
        #expect(result.exitCode == 1, "\(result.summary)")
        let data = try #require(FileManager.default.contents(atPath: r.junit), "no JUnit file. \(result.summary)")
        _ = try JUnitFile(path: r.junit)   // valid against the JUnit schema, counts equal to the elements
        let doc = try XMLDocument(data: data)
        let cases = try doc.nodes(forXPath: "//testcase").compactMap { $0 as? XMLElement }
        #expect(cases.map { $0.attribute(forName: "name")?.stringValue } == ["prepare", "write", "verify"])
        let failed = cases.filter { !$0.elements(forName: "failure").isEmpty }
        #expect(failed.map { $0.attribute(forName: "name")?.stringValue } == ["verify"])
        let message = failed.first?.elements(forName: "failure").first?.attribute(forName: "message")?.stringValue
        #expect(message?.contains("verification failed") == true)
    }

    @Test("plan: an allowed write is planned, not performed, and listed in effects.planned")
    func planWritesNothing() throws {
        let r = try RecipeRun(#"require("unidesk.fs").write("out/result.txt", "done")"#)
        defer { r.remove() }
        let result = try r.run("plan", ["--allow", "fs.write:out/*", "--report", r.report])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(r.stateFiles.isEmpty, "plan wrote \(r.stateFiles)")
        #expect(result.stderr.contains("fs.write:out/result.txt"), "the printed plan lists the effect. \(result.summary)")

        let report = try #require(r.reportJSON, "no JSON object at \(r.report). \(result.summary)")
        #expect(report["mode"] as? String == "plan")
        let effects = report["effects"] as? [String: Any] ?? [:]
        let planned = effects["planned"] as? [[String: Any]] ?? []
        #expect(planned.map { $0["capability"] as? String } == ["fs.write:out/result.txt"])
        #expect((effects["performed"] as? [Any])?.isEmpty == true)
    }
}
