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

/// json.encode's C encoder writes what it can write exactly as the Swift path would and
/// hands everything else, arguments unchanged, to the Swift body.
@Suite struct EncodeFastPathTests {
    final class Calls { var args: [[LuaValue]] = [] }

    func encoder(_ calls: Calls) -> HostFunction {
        HostFunction("unidesk.json.encode", fastPath: .jsonEncode) { args in
            calls.args.append(args)
            throw HostError.argument(1, "from Swift")
        }
    }

    @Test func jsonEncodeWritesTheTextInCWithoutCallingSwift() throws {
        let calls = Calls()
        let lua = try state(with: [encoder(calls)])
        let r = try lua.run(#"""
            return encode({ b = { 1, 2.5, "x\"\n\0\u{2028}é" }, a = {}, [""] = true, c = -0.0, d = 1e16, e = 0.1 }),
                   encode({ { k = 1 } }, { pretty = true }),
                   encode("\xffa\xe2\x82", { invalid_utf8 = "replace" }), encode("\xffa", { invalid_utf8 = "escape" }),
                   encode(math.mininteger), encode(9007199254740992.0), encode(2^-30)
            """#, chunkName: "@recipe.lua")
        #expect(calls.args.isEmpty, "the C encoder wrote every value itself: \(calls.args)")
        #expect(r[0].stringValue == #"{"":true,"a":{},"b":[1,2.5,"x\"\n\u0000\u2028é"],"c":-0.0,"d":1e+16,"e":0.1}"#)
        #expect(r[1].stringValue == "[\n  {\n    \"k\": 1\n  }\n]")
        #expect(r[2].stringValue == "\"\u{FFFD}a\u{FFFD}\"")
        #expect(r[3].stringValue == "\"\u{FF}a\"")
        #expect(r[4].stringValue == "-9223372036854775808")
        #expect(r[5].stringValue == "9007199254740992.0")
        #expect(r[6].stringValue == "9.313225746154785e-10")
        #expect(lua.stackTop == 0)
    }

    @Test func whatCDoesNotEncodeGoesToSwiftUnchanged() throws {
        let calls = Calls()
        let lua = try state(with: [encoder(calls)])
        let r = try lua.run(#"""
            local deep = {}
            for _ = 1, 100 do deep = { deep } end
            local cycle = {}; cycle.self = cycle
            local inputs = { { "\xff" }, { 0 / 0 }, { { 1, x = 2 } }, { { [2] = 1 } }, { print }, { deep }, { cycle },
                             { 1, { pretty = 1 } }, { 1, { invalid_utf8 = "drop" } }, { 1, { indent = 4 } }, { nil }, { 1, nil, 3 },
                             { 5e-324 }, { { [1.5] = 1 } }, { { ["\xff"] = 1 } } }
            local results = {}
            for i, args in ipairs(inputs) do
              local ok, e = pcall(encode, table.unpack(args, 1, i == 12 and 3 or #args))
              results[#results + 1] = tostring(ok) .. "|" .. e
            end
            return table.concat(results, ";")
            """#, chunkName: "@recipe.lua")
        // Too deep and a cycle: refused while the arguments are read, before the body runs.
        var expected = Array(repeating: "false|recipe.lua:9: bad argument #1 to 'unidesk.json.encode' (from Swift)", count: 15)
        expected[5] = "false|recipe.lua:9: bad argument #1 to 'unidesk.json.encode' (table nested deeper than 100 levels (or a cycle))"
        expected[6] = expected[5]
        #expect(r[0].stringValue == expected.joined(separator: ";"))
        #expect(calls.args.count == 13)
        if case .bytes(let b)? = calls.args[0].first { #expect(b == [0xFF]) } else { Issue.record("\(calls.args[0])") }
        #expect(calls.args[5].count == 2 && calls.args[5][1].tableValue?["pretty"].int == 1)
        #expect(calls.args[8].isEmpty)
        #expect(calls.args[9].count == 3 && calls.args[9][2].int == 3)
        #expect(lua.stackTop == 0)
    }

    /// The buffer grows by half again and gives its unused room back before the Lua string
    /// is made: a 20 MiB text needs about twice that under the cap (doubling, room kept:
    /// 32 MiB of buffer plus the string, past a 48 MiB cap).
    @Test func aLargeEncodeNeedsTheTextTwiceNotMore() throws {
        let calls = Calls()
        let lua = try state(with: [encoder(calls)], memoryLimit: 48 << 20)
        let r = try lua.run("local s = string.rep('x', 1 << 20); local t = {}; for i = 1, 20 do t[i] = s end; return #encode(t)", chunkName: "=t")
        let length: Int64 = 20 * (1_048_576 + 2) + 19 + 2   // 20 quoted strings, commas, brackets
        #expect(r.first?.int == length)
        #expect(calls.args.isEmpty)
        #expect(lua.tripped == nil)
    }

    /// A frozen table is an empty proxy: what is written is the table it stands for, at
    /// every level, as ValueReader reads it for the Swift path.
    @Test func aFrozenTableIsWrittenAsTheTableItStandsFor() throws {
        let calls = Calls()
        let lua = try state(with: [encoder(calls)])
        let r = try lua.run(#"""
            local frozen = __unidesk_trusted.freeze({ a = { 1, 2 }, b = { c = "x" }, e = {} }, "data")
            return encode(frozen), encode({ frozen, frozen.b }), rawlen(frozen), next(frozen)
            """#, chunkName: "@recipe.lua")
        #expect(calls.args.isEmpty)
        #expect(r[0].stringValue == #"{"a":[1,2],"b":{"c":"x"},"e":{}}"#)
        #expect(r[1].stringValue == #"[{"a":[1,2],"b":{"c":"x"},"e":{}},{"c":"x"}]"#)
        #expect(r[2].int == 0, "the proxy itself is empty: writing it would give {}")
        #expect(lua.stackTop == 0)
    }

    /// The text is built in a buffer from the state's allocator: a document far larger than
    /// the memory cap stops at the cap, as any other growth does.
    @Test func aHugeEncodeStopsAtTheMemoryCap() throws {
        let calls = Calls()
        let lua = try state(with: [encoder(calls)], memoryLimit: 16 << 20)
        #expect(throws: LuaError.self) {
            try lua.run("local s = string.rep('x', 1 << 20); local t = {}; for i = 1, 64 do t[i] = s end; return #encode(t)", chunkName: "=t")
        }
        #expect(lua.tripped == .memory)
        #expect(calls.args.isEmpty)
        #expect(lua.memoryPeak <= (16 << 20) + (1 << 20), "peak \(lua.memoryPeak)")
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
