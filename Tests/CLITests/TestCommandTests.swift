import Foundation
import Testing

/// `unidesk test`: *_test.lua files with describe/it, deep equality and fakes of primitive
/// families, run by the real binary.
@Suite struct TestCommandTests {
    static let module = """
        local registry = require "unidesk.registry"
        local M = {}
        function M.check(ref)
          local h = registry.head(ref)
          return { ref = ref, exists = h.exists, action = h.exists and "deploy" or "build first" }
        end
        return M
        """

    @Test func fakesStandInForPrimitivesAndFailuresNameTheDifference() throws {
        let dir = try TempDir(prefix: "unidesk-test-cmd")
        defer { dir.remove() }
        try dir.write("lane.lua", Self.module)
        try dir.write("lane_test.lua", """
            local test = require "unidesk.test"
            test.describe("artifact lane", function()
              test.it("deploys what exists", function()
                test.fake("registry", { head = function(ref) return { exists = true, ref = ref } end })
                test.eq(test.load("lane").check("r/app:1"), { ref = "r/app:1", exists = true, action = "deploy" })
              end)
              test.it("builds first when missing", function()
                local fake = test.fake("registry", { head = function(ref) return { exists = false, status = 404, ref = ref } end })
                test.eq(test.load("lane").check("r/app:2").action, "build first")
                test.eq(#fake.calls, 1)
                test.eq(fake.calls[1].args[1], "r/app:2")
              end)
            end)
            """)
        let ok = try Unidesk.run(["test", "--no-color"], in: dir.url)
        #expect(ok.exitCode == 0, "\(ok.summary)")
        #expect(ok.stderr.contains("[ok] artifact lane › deploys what exists"), "\(ok.summary)")
        #expect(ok.stderr.contains("2 passed, 0 failed in 1 file"), "\(ok.summary)")

        try dir.write("sub/broken_test.lua", """
            local test = require "unidesk.test"
            test.it("wrong expectation", function()
              test.eq({ rows = { { status = "ok" }, { status = "drift" } } }, { rows = { { status = "ok" }, { status = "ok" } } })
            end)
            test.it("still runs after a failure", function() test.truthy(true) end)
            """)
        let bad = try Unidesk.run(["test", "--no-color", "--junit", dir.path("junit.xml")], in: dir.url)
        #expect(bad.exitCode == 1, "\(bad.summary)")
        #expect(bad.stderr.contains("at .rows[2].status: expected \"ok\", got \"drift\""), "\(bad.summary)")
        #expect(bad.stderr.contains("3 passed, 1 failed in 2 files; failing: sub/broken_test.lua"), "\(bad.summary)")
        let junit = try String(contentsOfFile: dir.path("junit.xml"), encoding: .utf8)
        #expect(junit.contains("still runs after a failure"), "one testcase per test")

        let none = try Unidesk.run(["test", dir.path("sub/nothing-here")], in: dir.url)
        #expect(none.exitCode == 2 && none.stderr.contains("does not exist"), "\(none.summary)")
    }
}
