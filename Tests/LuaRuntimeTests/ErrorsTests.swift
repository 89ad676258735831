import Testing
import UnideskTestSupport
@testable import LuaRuntime

@Suite struct ErrorsTests {
    @Test func swiftErrorsBecomeCatchableLuaErrors() throws {
        let misuse = HostFunction("unidesk.x.misuse") { _ in throw HostError.argument(1, "table expected, got nil") }
        let plain = HostFunction("plain") { _ in throw HostError.message("it broke") }
        let structured = HostFunction("structured") { _ in
            throw HostError.structured(kind: "network", message: "connection refused", fields: [("host", .string("127.0.0.1"))])
        }
        let lua = try state(with: [misuse, plain, structured])
        let r = try lua.run("""
            local ok1, e1 = pcall(function() misuse() end)
            local ok2, e2 = pcall(function() plain() end)
            local ok3, e3 = pcall(function() structured() end)
            return e1, e2, e3.kind, e3.message, e3.host, tostring(e3), e3.where
            """, chunkName: "@recipe.lua")
        #expect(r[0].stringValue == "recipe.lua:1: bad argument #1 to 'unidesk.x.misuse' (table expected, got nil)")
        #expect(r[1].stringValue == "recipe.lua:2: it broke")
        #expect(r[2].stringValue == "network")
        #expect(r[3].stringValue == "connection refused")
        #expect(r[4].stringValue == "127.0.0.1")
        #expect(r[5].stringValue == "connection refused", "tostring of a structured error is its message")
        #expect(r[6].stringValue == "recipe.lua:3")
        #expect(lua.stackTop == 0)
    }

    @Test func luaErrorsReachSwiftWithTraceback() throws {
        let lua = try state()
        let error = thrownError(LuaError.self) {
            try lua.run("local function inner() error('boom') end\nlocal function outer() inner() end\nouter()", chunkName: "@r.lua")
        }
        #expect(error?.message == "r.lua:1: boom")
        #expect(error?.traceback?.contains("r.lua:2: in") == true, "\(error?.traceback ?? "")")
        #expect(lua.stackTop == 0)
    }

    @Test func tableErrorsKeepTheirFields() throws {
        let lua = try state()
        let error = thrownError(LuaError.self) {
            try lua.run("error({kind = 'conflict', message = 'field owned by kubectl'})", chunkName: "=t")
        }
        #expect(error?.kind == "conflict")
        #expect(error?.message == "conflict: field owned by kubectl", "a table reads kind: message, as the prelude shows it")
        #expect(error?.traceback != nil)
    }

    @Test func tableErrorsThatRenderThemselvesShowTheirMessage() throws {
        let lua = try state()
        let error = thrownError(LuaError.self) {
            try lua.run("error(setmetatable({kind = 'timeout', message = 'not ready'}, {__tostring = function(e) return e.message end}))", chunkName: "=t")
        }
        #expect(error?.kind == "timeout")
        #expect(error?.message == "not ready")
    }

    @Test func syntaxErrorsAreReportedNotRaised() throws {
        let lua = try state()
        let e = lua.compileError("return +", chunkName: "@r.lua")
        #expect(e?.message.hasPrefix("r.lua:1:") == true)
        #expect(lua.compileError("return 1", chunkName: "=t") == nil)
        #expect(lua.stackTop == 0)
    }

    @Test func stackStaysBalancedOverManyCalls() throws {
        // An unbalanced host call leaks a slot per call; 200k calls would overflow the
        // Lua stack (LUAI_MAXSTACK = 1e6 slots with 3 values per call) or grow memory.
        let three = HostFunction("three") { args in [.int(1), .string("b"), .table(LuaTable(array: [.int(1)]))] }
        let fail = HostFunction("fail") { _ in throw HostError.structured(kind: "x", message: "y") }
        let lua = try state(with: [three, fail])
        let before = lua.memoryUsed
        let r = try lua.run("""
            local n = 0
            for i = 1, 200000 do
              n = n + select('#', three(i, i, i))
              pcall(fail, i)
            end
            return n
            """, chunkName: "=t")
        #expect(r.first?.int == 600_000)
        #expect(lua.stackTop == 0)
        #expect(lua.memoryUsed < before + 4 << 20, "memory grew from \(before) to \(lua.memoryUsed)")
    }

    @Test func binaryChunksAreRefused() throws {
        let lua = try state()
        let r = try lua.run("return load('\\27Lua\\84\\0', 'x', 'b')", chunkName: "=t")
        #expect(r[0].isNil)
        #expect(r[1].stringValue?.contains("binary") == true)
    }
}
