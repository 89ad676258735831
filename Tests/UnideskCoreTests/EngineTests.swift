import Foundation
import Testing
@testable import UnideskCore
import UnideskData

@Suite struct EngineTests {
    @Test func planRecordsWritesAndPerformsNone() throws {
        let t = try TempRecipe(["recipe.lua": """
            local fs = require "unidesk.fs"
            local wrote = fs.write("out/a.txt", "hello")
            unidesk.output("wrote", wrote)
            """])
        let plan = try t.run(.plan(offline: false), allow: ["fs.write:out/*"])
        #expect(plan.exitCode == .ok)
        #expect(!FileManager.default.fileExists(atPath: "\(t.state)/out/a.txt"), "plan mode wrote a file")
        #expect(plan.audit.map(\.outcome) == [.planned])
        #expect(plan.audit.first?.capability == "fs.write:out/a.txt")
        #expect(plan.outputs.first?.1 == .bool(false))

        let run = try t.run(.run, allow: ["fs.write:out/*"])
        #expect(run.exitCode == .ok)
        #expect((try? String(contentsOfFile: "\(t.state)/out/a.txt", encoding: .utf8)) == "hello")
        #expect(run.audit.first?.outcome == .ok)
        #expect(run.audit.first?.performed == true)
    }

    @Test func denialIsStickyEvenWhenCaught() throws {
        let t = try TempRecipe(["recipe.lua": """
            local fs = require "unidesk.fs"
            local ok, err = pcall(fs.write, "x.txt", "y")
            assert(not ok and err.kind == "denied" and err.capability == "fs.write:x.txt")
            print("caught it")
            """])
        let r = try t.run()
        #expect(r.exitCode == .denied)
        #expect(r.audit.first?.outcome == .denied)
        #expect(!FileManager.default.fileExists(atPath: "\(t.state)/x.txt"))
    }

    @Test func canAnswersWithoutCallingAnything() throws {
        let t = try TempRecipe(["recipe.lua": """
            unidesk.output("write", unidesk.can("fs.write:out/x"))
            unidesk.output("other", unidesk.can("fs.write:elsewhere"))
            unidesk.output("read", unidesk.can("fs.read:x"))
            """])
        let r = try t.run(allow: ["fs.write:out/*"])
        #expect(r.exitCode == .ok)
        #expect(r.outputs.map(\.1) == [.bool(true), .bool(false), .bool(true)])
        #expect(r.audit.isEmpty)
    }

    @Test func stepsAreRecordedWithStatusAndTheOriginalTraceback() throws {
        let t = try TempRecipe(["recipe.lua": """
            unidesk.step("one", function() end)
            unidesk.step("outer", function()
              unidesk.step("inner", function()
                local x = nil
                return x.field
              end)
            end)
            """])
        let r = try t.run()
        #expect(r.exitCode == .recipeFailed)
        #expect(r.steps.map(\.name) == ["one", "outer", "inner"])
        #expect(r.steps.map(\.status) == [.ok, .failed, .failed])
        #expect(r.steps.map(\.depth) == [0, 0, 1])
        #expect(r.error?.message.contains("recipe.lua:5: attempt to index a nil value") == true)
        #expect(r.error?.traceback?.contains("recipe.lua:5") == true, "traceback points at the failing line: \(r.error?.traceback ?? "")")
    }

    @Test func secretsNeverReachTheReport() throws {
        let t = try TempRecipe(["recipe.lua": """
            local token = unidesk.env("API_TOKEN")
            unidesk.log.info("token is", token)
            unidesk.step("leak", function() error("failed with " .. tostring(token) .. " and raw hunter2-secret") end)
            """])
        let r = try t.run(env: ["API_TOKEN": "hunter2-secret"], secretEnv: ["API_TOKEN"])
        let json = try JSON.encode(r.json)
        #expect(!json.contains("hunter2-secret"), "\(json)")
        #expect(json.contains("<secret>"))
    }

    @Test func outputsMustBeEncodable() throws {
        let t = try TempRecipe(["recipe.lua": """
            unidesk.output("n", {1, 2, {a = unidesk.null}})
            local ok, err = pcall(unidesk.output, "s", unidesk.secret("xxxxyyyy"))
            assert(not ok and tostring(err):find("secret"), tostring(err))
            """])
        let r = try t.run()
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
        #expect(r.outputs.first?.1 == .array([.int(1), .int(2), .object([("a", .null)])]))
    }

    @Test func recipeModulesAndStdlibResolve() throws {
        let t = try TempRecipe([
            "recipe.lua": """
                local lib = require "lib.helpers"
                local again = require "lib.helpers"
                assert(lib == again, "modules are cached")
                assert(lib.double(21) == 42)
                local ok, err = pcall(require, "unidesk.nope")
                assert(not ok and err:find("unidesk.fs"), err)
                ok, err = pcall(require, "../escape")
                assert(not ok and err:find("invalid"), err)
                local json = require "unidesk.json"
                assert(not pcall(function() json.encode = nil end), "stdlib modules are read-only")
                """,
            "lib/helpers.lua": "local M = {} function M.double(x) return 2 * x end return M",
        ])
        let r = try t.run()
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
    }

    @Test func junitHasOneTestcasePerStep() throws {
        let t = try TempRecipe(["recipe.lua": "unidesk.step('a & b', function() end)\nunidesk.step('c', function() unidesk.fail('nope <x>') end)"])
        let r = try t.run()
        #expect(r.exitCode == .recipeFailed)
        let xml = r.junit
        #expect(xml.contains(#"<testcase classname="\#(t.dir)/recipe.lua" name="a &amp; b""#))
        #expect(xml.contains(#"<failure message="nope &lt;x&gt;" type="fail">"#))
        #expect(xml.contains(#"tests="2" failures="1""#))
    }
}
