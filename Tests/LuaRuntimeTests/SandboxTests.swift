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

    @Test func collectgarbageOnlyCounts() throws {
        let lua = try state()
        let r = try lua.run("return type(collectgarbage('count')), pcall(collectgarbage, 'collect'), pcall(collectgarbage)", chunkName: "=t")
        #expect(r[0].stringValue == "number")
        #expect(r[1].bool == false)
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
