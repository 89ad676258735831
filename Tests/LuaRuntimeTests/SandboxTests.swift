import Testing
@testable import LuaRuntime

@Suite struct SandboxTests {
    @Test(arguments: ["io", "os", "debug", "package", "dofile", "loadfile", "require", "string.dump"])
    func absent(_ name: String) throws {
        let lua = try state()
        let r = try lua.run("local v = _G for part in ('\(name)'):gmatch('[^.]+') do v = v and v[part] end return v == nil", chunkName: "=t")
        #expect(r.first?.bool == true, "\(name) must not exist in the sandbox")
    }

    @Test(arguments: ["string.len = nil", "table.insert = print", "math.pi = 3", "rawset(string, 'x', 1)",
                      "getmetatable('').__index = {}", "setmetatable(string, {})", "coroutine.resume = nil"])
    func libraryTablesAreReadOnly(_ code: String) throws {
        let lua = try state()
        #expect(throws: LuaError.self) { try lua.run(code, chunkName: "=t") }
        let r = try lua.run("return string.len('abc'), math.pi > 3.14, type(table.insert), type(coroutine.resume)", chunkName: "=t")
        #expect(r[0].int == 3)
        #expect(r[1].bool == true)
        #expect(r[2].stringValue == "function")
        #expect(r[3].stringValue == "function")
    }

    @Test func pairsOnAReadOnlyTableDoesNotLeakTheRealTable() throws {
        let lua = try state()
        let r = try lua.run("""
            local f, s, k = pairs(string)
            local n = 0 for name in pairs(string) do n = n + 1 end
            return type(s), n > 10, #string == 0
            """, chunkName: "=t")
        #expect(r[0].stringValue == "nil")
        #expect(r[1].bool == true)
    }

    @Test func collectgarbageKeepsThePaceItIsGiven() throws {
        let lua = try state()
        let r = try lua.run("""
            return type(collectgarbage('count')), collectgarbage('collect'), collectgarbage(), type(collectgarbage('step')),
              collectgarbage('isrunning'), collectgarbage('incremental'), collectgarbage('generational'), collectgarbage('restart'),
              collectgarbage('isrunning')
            """, chunkName: "=t")
        #expect(r[0].stringValue == "number")
        #expect(r[1].int == 0 && r[2].int == 0)
        #expect(r[3].stringValue == "boolean")
        #expect(r[4].bool == true)
        #expect(r[5].stringValue == "generational", "the sandbox starts in generational mode, as lua5.4 does")
        #expect(r[6].stringValue == "incremental")
        #expect(r[7].int == 0)
        #expect(r[8].bool == true)
        for (call, message) in [("'stop'", "collectgarbage('stop') is not allowed"), ("'setpause', 100", "collectgarbage('setpause') is not allowed"),
                                ("'setstepmul', 100", "collectgarbage('setstepmul') is not allowed"),
                                ("'incremental', 1000", "tuning arguments are not allowed"), ("'nonsense'", "invalid option 'nonsense'")] {
            let refused = try lua.run("local ok, e = pcall(collectgarbage, \(call)) return ok, e, collectgarbage('isrunning')", chunkName: "=t")
            #expect(refused[0].bool == false, "\(call)")
            #expect(refused[1].stringValue?.contains(message) == true, "\(call): \(refused[1])")
            #expect(refused[2].bool == true, "the collector still runs after \(call)")
        }
    }

    @Test func loadBindsTheSandboxEnvironment() throws {
        let lua = try state()
        let r = try lua.run("""
            local f = load('return io, os, string.len("ab")')
            local g = load('return x', 'c', 't', {x = 5})
            local a, b, c = f()
            return a, b, c, g()
            """, chunkName: "=t")
        #expect(r[0].isNil)
        #expect(r[1].isNil)
        #expect(r[2].int == 2)
        #expect(r[3].int == 5)
    }
}
