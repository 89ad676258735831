import Foundation
import Testing
import UnideskBindings
@testable import UnideskCore

/// The scope-aware global scanner behind `unidesk check`: what is a global, what is not.
@Suite struct GlobalScannerTests {
    /// A small sandbox: tables with fixed fields, and plain functions.
    static let function: Set<String>? = nil   // a global that is not a table of fixed fields
    static let sandbox: [String: Set<String>?] = [
        "print": function, "require": function, "pairs": function, "ipairs": function, "error": function,
        "string": ["format", "rep"], "table": ["concat", "insert"], "unidesk": ["step", "log"],
    ]

    private func findings(_ source: String) -> [String] {
        GlobalScanner.scan(source, sandbox: Self.sandbox).findings.map(\.description)
    }

    @Test func readingAGlobalTheSandboxLacksIsReportedWithItsLine() {
        #expect(findings("print('a')\nio.write('x')\nos.exit(1)\n") == ["2: undefined global 'io'", "3: undefined global 'os'"])
    }

    @Test func localsParametersAndLoopVariablesAreNotGlobals() {
        let source = """
            local io = { write = print }
            io.write("x")
            local function fact(n) if n < 1 then return 1 end return n * fact(n - 1) end
            for i = 1, 3 do print(i) end
            for k, v in pairs({}) do print(k, v) end
            local t = {}
            function t:method(a, ...) return self, a, ... end
            local f = function(x) return x end
            local c <const>, d <close> = 1, nil
            print(fact, f, c, d)
            """
        #expect(findings(source) == [])
    }

    @Test func aScopeEndsWithItsBlock() {
        let source = """
            do local inner = 1 end
            print(inner)
            if true then local branch = 1 else print(branch) end
            local function f(p) end
            print(p)
            for i = 1, 2 do end
            print(i)
            """
        #expect(findings(source) == ["2: undefined global 'inner'", "3: undefined global 'branch'",
                                     "5: undefined global 'p'", "7: undefined global 'i'"])
    }

    @Test func aLocalIsNotVisibleInItsOwnInitialiserButRepeatUntilSeesTheBlock() {
        #expect(findings("local x = x") == ["1: undefined global 'x'"])
        #expect(findings("repeat local done = true until done") == [])
    }

    @Test func namesInsideStringsAndCommentsAreNotReads() {
        let source = """
            -- io.write in a comment
            --[==[ os.exit()
            still a comment ]==]
            local s = "io.write" .. 'os.exit' .. [[
            io.lines ]] .. "esc\\"aped io"
            print(s) -- trailing os
            """
        #expect(findings(source) == [])
    }

    @Test func lineNumbersCountNewlinesInsideLongStringsAndComments() {
        #expect(findings("--[[\n\n]]\nlocal s = [[\n\n]]\nio.write(s)") == ["7: undefined global 'io'"])
    }

    @Test func tableKeysAndFieldNamesAreNotReads() {
        #expect(findings("local t = { io = 1, os = print, [1] = 2 }\nprint(t.io, t.os)") == [])
    }

    @Test func aGlobalAssignedAtTheTopLevelIsTheFilesOwn() {
        let source = """
            local function use() return helper() end
            function helper() return config end
            config = { name = "x" }
            print(use())
            """
        #expect(findings(source) == [])
    }

    @Test func settingAnUnknownGlobalInsideAFunctionIsReported() {
        #expect(findings("local function f() counter = 1 end\nf()") == [
            "1: setting undefined global 'counter' inside a function (declare it local, or assign it at the top level)",
        ])
    }

    @Test func aFieldASandboxLibraryLacksIsReported() {
        #expect(findings("print(string.dump(print), string.format('%d', 1))\ntable.insert({}, 1)") == ["1: undefined field 'string.dump'"])
        #expect(findings("unidesk.stepp('x', print)") == ["1: undefined field 'unidesk.stepp'"])
    }

    @Test func literalRequiresAreCollectedInEveryForm() {
        let scan = GlobalScanner.scan("""
            local a = require "lib.a"
            local b = require('lib.b')
            local c = require [[lib.c]]
            local name = "lib.d"
            local d = require(name)
            -- require "lib.e"
            """, sandbox: Self.sandbox)
        #expect(scan.requires.map(\.name) == ["lib.a", "lib.b", "lib.c"])
        #expect(scan.requires.map(\.line) == [1, 2, 3])
    }

    @Test func aLocalRequireIsNotTheGlobalOne() {
        #expect(GlobalScanner.scan("local require = print\nrequire 'x'", sandbox: Self.sandbox).requires.isEmpty)
    }

    @Test func numbersOperatorsAndGotoDoNotConfuseTheScanner() {
        let source = """
            local x = 0x1p4 + 1e-3 - 0xff // 2 .. 3 ~= 4 and not #{} or ~5 << 1
            for i = 1, 3 do
              if i == 2 then goto continue end
              print(i)
              ::continue::
            end
            print(x);
            """
        #expect(findings(source) == [])
    }

    /// A walk that stops early reports nothing: every Lua file of the project must be
    /// walked to its end, or `check` would pass files it never looked at.
    @Test func everyLuaFileOfTheProjectIsWalkedCompletely() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var walked = 0
        for dir in ["recipes", "stdlib", "Tests/escape/cases"] {
            let base = root.appendingPathComponent(dir).path
            for rel in FileManager.default.enumerator(atPath: base)?.compactMap({ $0 as? String }) ?? [] where rel.hasSuffix(".lua") {
                let source = try String(contentsOfFile: "\(base)/\(rel)", encoding: .utf8)
                #expect(GlobalScanner.scan(source, sandbox: Self.sandbox).complete, "\(dir)/\(rel)")
                walked += 1
            }
        }
        #expect(walked > 20)
    }

    @Test func theRealSandboxHasTheStandardLibrariesAndNoFileAccess() throws {
        let globals = try SandboxGlobals.read(libraries: Libraries.all)
        for name in ["print", "require", "pairs", "pcall", "string", "table", "math", "utf8", "coroutine", "unidesk"] {
            #expect(globals[name] != nil, "\(name) missing from \(globals.keys.sorted())")
        }
        for name in ["os", "dofile", "loadfile", "__unidesk_trusted"] {
            #expect(globals[name] == nil, "\(name) should not be in the sandbox")
        }
        // io and debug keep only what cannot reach past the sandbox; package has no loadlib/cpath.
        #expect(globals["io"]?.map { $0.sorted() } == ["stderr", "stdout", "type", "write"])
        #expect(globals["debug"]?.map { $0.sorted() } == ["traceback"])
        #expect(globals["package"]?.map { $0.sorted() } == ["config", "loaded", "path", "preload", "searchers", "searchpath"])
        #expect(globals["string"]??.contains("format") == true)
        #expect(globals["string"]??.contains("dump") == false)
        #expect(globals["unidesk"]??.contains("step") == true)
    }
}
