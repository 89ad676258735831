import Foundation
import Testing

/// What the per-call shortcuts of a loop of calls (issue 21: the policy's last decision kept,
/// the effect line built in place) must not change: each call decided on its own
/// capability, each line as before.
@Suite struct RepeatedCallLineTests {
    @Test func alternatingScopesAreEachDecidedOnTheirOwn() throws {
        let dir = try TempDir(prefix: "unidesk-repeated")
        defer { dir.remove() }
        try """
            local fs = require "unidesk.fs"
            for i = 1, 3 do
              fs.write("a/x" .. i, "1")
              local ok = pcall(fs.write, "b/y" .. i, "2")
              assert(not ok, "b/ was allowed")
            end
            unidesk.step("outer", function()
              fs.write("a/in-step", "3")
              unidesk.step("inner", function() fs.write("a/deeper", "4") end)
            end)
            """.write(to: dir.url.appendingPathComponent("r.lua"), atomically: true, encoding: .utf8)
        let r = try Unidesk.run(["run", "r.lua", "--state-dir", dir.url.appendingPathComponent("state").path, "--allow", "fs.write:a/*"],
                                in: dir.url)
        #expect(r.exitCode == 3, "\(r.summary)")   // a denial is never silent
        let lines = r.stderr.split(separator: "\n").map(String.init)
        let writes = lines.filter { $0.hasPrefix("[write] fs.write:a/x") }
        let denied = lines.filter { $0.hasPrefix("[denied] ") }
        #expect(writes.count == 3 && denied.count == 3, "\(r.stderr)")
        for i in 1...3 {
            #expect(writes.contains { $0.hasPrefix("[write] fs.write:a/x\(i) (") && $0.hasSuffix("ms)") }, "\(r.stderr)")
            #expect(denied.contains { $0.hasPrefix("[denied] fs.write:b/y\(i): ") }, "\(r.stderr)")
        }
        // Inside steps the line is indented by the depth, as the step lines are.
        #expect(lines.contains { $0.hasPrefix("[write] fs.write:a/in-step (") }, "\(r.stderr)")
        #expect(lines.contains { $0.hasPrefix("[step]   inner") }, "\(r.stderr)")
        #expect(lines.contains { $0.hasPrefix("[write]   fs.write:a/deeper (") }, "\(r.stderr)")
    }
}
