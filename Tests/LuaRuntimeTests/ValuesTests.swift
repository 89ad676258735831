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

    /// Keys 1…n reach the array whatever order the table gives them in (set in reverse, or
    /// grown past its array part into the hash part), and a hole ends the sequence.
    @Test func sequencesInAnyKeyOrderReadAsArrays() throws {
        let lua = try state()
        let r = try lua.run("""
            local reversed = {} for i = 5, 1, -1 do reversed[i] = "r" .. i end
            local mixed = {[3] = "c", [1] = "a", [2] = "b", [0] = "zero", [-1] = "neg", [7] = "after a hole"}
            local grown = {} for i = 1, 40 do grown[i] = i end grown[41] = 41
            return reversed, mixed, grown
            """, chunkName: "=t")
        let reversed = try #require(r[0].tableValue)
        #expect(reversed.array.map(\.stringValue) == ["r1", "r2", "r3", "r4", "r5"])
        #expect(reversed.otherKeys == 0)
        let mixed = try #require(r[1].tableValue)
        #expect(mixed.array.map(\.stringValue) == ["a", "b", "c"])
        #expect(mixed.otherKeys == 3)
        let grown = try #require(r[2].tableValue)
        #expect(grown.array.count == 41)
        if case .int(let last)? = grown.array.last { #expect(last == 41) } else { Issue.record("grown[41] is not the integer 41") }
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
