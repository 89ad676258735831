import Testing
@testable import LuaRuntime

/// A host function with a C fast path: Lua calls the C function; the Swift body runs only
/// for what the fast path hands over, with the arguments unchanged.
@Suite struct FastPathTests {
    final class Calls { var args: [[LuaValue]] = [] }

    func decoder(_ calls: Calls) -> HostFunction {
        HostFunction("unidesk.json.decode", fastPath: .jsonDecode) { args in
            calls.args.append(args)
            throw HostError.structured(kind: "invalid", message: "json.decode: from Swift", fields: [("line", .int(7))])
        }
    }

    @Test func jsonDecodeBuildsTheValueInCWithoutCallingSwift() throws {
        let calls = Calls()
        let lua = try state(with: [decoder(calls)])
        let r = try lua.run(#"""
            local v = decode('\xEF\xBB\xBF{"a": [1, -2.5, null, true, "x\\u00e9\\ud83d\\ude00"], "a": {"b": 9223372036854775807}, "n": 1e2} ')
            return math.type(v.a.b), v.a.b, math.type(v.n), v.n, #v
            """#, chunkName: "@recipe.lua")
        #expect(calls.args.isEmpty, "the C decoder handled a well-formed document itself")
        #expect(r[0].stringValue == "integer")
        #expect(r[1].int == Int64.max)
        #expect(r[2].stringValue == "float")
        #expect(r[4].int == 0)
        let s = try lua.run(#"""
            local v = decode('[1, -2.5, null, true, "x\\u00e9\\ud83d\\ude00", {}, []]')
            return v[1], v[2], v[3] == v[3], v[4], v[5], next(v[6]), next(v[7]), #v
            """#, chunkName: "@recipe.lua")
        #expect(calls.args.isEmpty)
        #expect(s[0].int == 1)
        if case .number(let d) = s[1] { #expect(d == -2.5) } else { Issue.record("\(s[1])") }
        #expect(s[3].bool == true)
        #expect(s[4].stringValue == "xé😀")
        #expect(s[5].isNil && s[6].isNil)
        #expect(s[7].int == 7)
        #expect(lua.stackTop == 0)
    }

    @Test func whatCDoesNotDecodeGoesToSwiftUnchanged() throws {
        let calls = Calls()
        let lua = try state(with: [decoder(calls)])
        let r = try lua.run(#"""
            local results = {}
            for _, text in ipairs({ '[1,', '"\xff"', '1e400', '{"a":1} x', '' }) do
              local ok, e = pcall(decode, text)
              results[#results + 1] = (not ok) and e.kind .. "|" .. e.message .. "|" .. e.line .. "|" .. e.where
            end
            local ok, e = pcall(decode, 42, "extra")
            results[#results + 1] = e.message
            return table.concat(results, ";"), select("#", pcall(decode, string.rep("[", 600)))
            """#, chunkName: "@recipe.lua")
        #expect(r[0].stringValue == Array(repeating: "invalid|json.decode: from Swift|7|recipe.lua:3", count: 5).joined(separator: ";") + ";json.decode: from Swift")
        #expect(calls.args.count == 7)
        #expect(calls.args[1].first?.typeName == "string")
        if case .bytes(let b)? = calls.args[1].first { #expect(b == [0x22, 0xFF, 0x22]) } else { Issue.record("\(calls.args[1])") }
        #expect(calls.args[5].count == 2 && calls.args[5][0].int == 42 && calls.args[5][1].stringValue == "extra")
        #expect(calls.args[6].first?.stringValue?.count == 600, "nesting past 512 levels is Swift's error to raise")
        #expect(lua.stackTop == 0)
    }
}

/// The queue a host function's results go through keeps no large copy after a call: a
/// 17 MB file read whole would otherwise stay allocated beside its Lua string all run long.
@Suite struct HostResultQueueTests {
    @Test func aLargeResultIsNotKeptAfterTheCall() throws {
        let big = HostFunction("big") { _ in [.string(String(repeating: "x", count: 4 << 20)), .table(LuaTable(array: Array(repeating: .int(1), count: 100_000)))] }
        let small = HostFunction("small") { _ in [.string("ok")] }
        let lua = try state(with: [big, small])
        let r = try lua.run("local s, t = big(); return #s, #t, small()", chunkName: "@recipe.lua")
        #expect(r[0].int == 4 << 20 && r[1].int == 100_000 && r[2].stringValue == "ok")
        #expect(lua.hostResultCapacity < 1 << 20, "\(lua.hostResultCapacity) bytes kept")
    }
}
