import Testing
@testable import LuaRuntime

@Suite struct ValuesTests {
    @Test func luaToSwiftKeepsTypes() throws {
        let lua = try state()
        let r = try lua.run("return nil, true, 42, 1.5, 'text', '\\xff\\xfe', {1, 2, 3}, {b = 1, a = 2}, print", chunkName: "=t")
        #expect(r.count == 9)
        #expect(r[0].isNil)
        #expect(r[1].bool == true)
        #expect(r[2].int == 42)
        if case .number(let d) = r[3] { #expect(d == 1.5) } else { Issue.record("1.5 came back as \(r[3])") }
        #expect(r[4].stringValue == "text")
        if case .bytes(let b) = r[5] { #expect(b == [0xff, 0xfe]) } else { Issue.record("invalid UTF-8 must stay bytes: \(r[5])") }
        #expect(r[6].tableValue?.array.compactMap(\.int) == [1, 2, 3])
        #expect(r[7].tableValue?.fields.map(\.0) == ["a", "b"], "string keys come back sorted")
        #expect(r[8].typeName == "function")
        #expect(lua.stackTop == 0)
    }

    @Test func swiftToLuaRoundTrips() throws {
        let echo = HostFunction("echo") { args in args }
        let lua = try state(with: [echo])
        let r = try lua.run("""
            local t = {1, 'two', {x = {y = true}}, n = 3.25, s = 'é'}
            local a, b, c = echo(t, 7, 'z')
            return a[1] == 1 and a[2] == 'two' and a[3].x.y == true and a.n == 3.25 and a.s == 'é'
               and math.type(b) == 'integer' and c == 'z'
            """, chunkName: "=t")
        #expect(r.first?.bool == true)
    }

    @Test func sparseAndOddKeysAreCountedNotLost() throws {
        let lua = try state()
        let r = try lua.run("return {1, 2, [4] = 4, [true] = 1, [2.5] = 1}", chunkName: "=t")
        let t = try #require(r.first?.tableValue)
        #expect(t.array.count == 2)
        #expect(t.otherKeys == 3)
    }

    @Test func cyclicTableIsAnErrorNotACrash() throws {
        let count = HostFunction("count") { args in [.int(Int64(args.count))] }
        let lua = try state(with: [count])
        let r = try lua.run("local t = {} t.self = t local ok, e = pcall(count, t) return ok, e", chunkName: "=t")
        #expect(r[0].bool == false)
        #expect(r[1].stringValue?.contains("bad argument #1 to 'count'") == true)
        #expect(r[1].stringValue?.contains("cycle") == true)
    }

    @Test func secretsAreOpaqueInLua() throws {
        let mk = HostFunction("mk") { _ in [.secret(Secret("hunter22"))] }
        let reveal = HostFunction("reveal") { args in
            if case .secret(let s) = args[0] { return [.bool(s.reveal() == "hunter22")] }
            return [.bool(false)]
        }
        let lua = try state(with: [mk, reveal])
        let r = try lua.run("""
            local s = mk()
            local concat_ok = pcall(function() return s .. 'x' end)
            local len_ok = pcall(function() return #s end)
            return tostring(s), type(s), concat_ok, len_ok, reveal(s), getmetatable(s)
            """, chunkName: "=t")
        #expect(r[0].stringValue == "<secret>")
        #expect(r[1].stringValue == "userdata")
        #expect(r[2].bool == false)
        #expect(r[3].bool == false)
        #expect(r[4].bool == true, "the host reads the secret it is handed")
        #expect(r[5].stringValue == "secret", "the metatable is protected")
        #expect("\(Secret("hunter22"))" == "<secret>", "Swift interpolation does not reveal either")
    }
}
