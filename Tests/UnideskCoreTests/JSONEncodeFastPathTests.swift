import LuaRuntime
import Testing
@testable import UnideskBindings
@testable import UnideskCore

/// json.encode writes its text in C (CLuaShim's json_encode.c). Every input gives what the
/// Swift path gives (ValueReader, LuaData.toData, JSONWriter: the body of the host function,
/// installed here as `swift_encode` without the C path in front): the same bytes, or the
/// same error.
@Suite struct JSONEncodeFastPathTests {
    /// Lua expressions for the arguments of one call each.
    static let corpus: [String] = [
        // scalars and every number shape
        "json.null", "true", "false", "0", "-1", "math.maxinteger", "math.mininteger", "2^53", "2^53 + 1", "2^53 + 2",
        "9007199254740993", "0.1", "-0.1", "1e300", "-1e300", "1.7976931348623157e308", "-0.0", "0.0", "1.0", "100.0",
        "1e15", "1e16", "1e17", "1e21", "1e22", "1.5e22", "1e-4", "1e-5", "1.5e-5", "0.00012345", "2.5e-7", "1234.5678",
        "math.pi", "-math.pi", "1/3", "2/3", "123456789.123", "0.1 + 0.2", "5e-324", "2^-1022", "2^-1074", "2^60", "2^-30",
        "0.5", "1024.0", "1e100", "12345678901234567890.0", "18014398509481988.0", "3.602879701896397e16",
        "1/0", "-1/0", "0/0",
        // strings and escapes
        #""""#,
        #""plain""#, #""q\"b\\s/""#, #""\0\1\8\9\10\12\13\31\127""#, #""\u{2028}\u{2029}\u{2027}""#,
        #""é 日本 😀 \u{10FFFF}""#,
        // invalid UTF-8 in each mode
        #""a\xffb""#, #""a\xffb", { invalid_utf8 = "error" }"#, #""a\xffb", { invalid_utf8 = "escape" }"#,
        #""a\xffb", { invalid_utf8 = "replace" }"#,
        #"{ "\xc3(", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe0\x80\x80", "\xe2\x82", "\xf0\x9f\x98", "\xc0\xaf", "\x80\xbf", "\xf8\x88\x80\x80\x80" }, { invalid_utf8 = "replace" }"#,
        #"{ "\xc3(", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe0\x80\x80", "\xe2\x82", "\xf0\x9f\x98", "\xc0\xaf", "\x80\xbf", "\xfe" }, { invalid_utf8 = "escape" }"#,
        #"{ k = "\xe2\x82\xa8\xe2\x80\xa8\xff" }, { invalid_utf8 = "replace", pretty = true }"#,
        // tables
        "{}", "{ {} }", "{ {}, {} }, { pretty = true }", "{ 1, 2, 3 }", "{ json.null, json.null }", "{ a = json.null }",
        "{ 1, { 2, { 3, { 4 } } } }", "{ a = { b = { c = { d = 'e' } } } }",
        "{ b = 1, a = 2, B = 3, ['é'] = 4, aa = 5, a0 = 6, ['a\\0'] = 7, [''] = 8 }",
        #"{ ["a\"b"] = 1, ["\n"] = 2, ["\u{2028}"] = 3, ["/"] = 4 }"#,
        "{ list = { 1, 2.5, 'x', true, json.null, {} }, obj = { k = {} } }, { pretty = true }",
        "{ list = { 1, 2.5, 'x', true, json.null, {} }, obj = { k = {} } }, { pretty = false }",
        "{ { a = 1, b = { 1, 2 } }, { c = {} } }, { pretty = true, invalid_utf8 = 'replace' }",
        "setmetatable({ 1, 2 }, { __index = function() return 9 end, __len = function() return 7 end })",
        "setmetatable({}, { __pairs = function() error('not called') end })",
        // what only the Swift path writes (its errors)
        "{ [1] = 1, [3] = 3 }", "{ [2] = 2 }", "{ [0] = 1 }", "{ [-1] = 1, [1] = 2 }", "{ 1, 2, nil, 4 }", "{ 1, n = 1 }",
        "{ [1.5] = 1 }", "{ [true] = 1 }", #"{ ["\xff"] = 1 }"#, #"{ ok = { "\xff" } }"#, "{ f = print }", "{ print }",
        "print", "coroutine.create(print)", "unidesk.secret('s3cret')", "{ s = unidesk.secret('s3cret') }", "json",
        "{ 1 / 0 }", "{ x = { 0 / 0 } }", "{ 2^60 }",
        "deep(99)", "deep(100)", "deep(101)", "cycle()",
        "nil", "", "1, nil", "1, nil, nil", "1, nil, 3", "1, 2", "1, { pretty = 1 }", "1, { pretty = 'yes' }",
        "1, { invalid_utf8 = 'drop' }", "1, { invalid_utf8 = 1 }", "1, { indent = 2 }", "1, { 'pretty' }", "1, { [1.5] = true }",
        "1, { pretty = json.null }", #"1, { invalid_utf8 = "replace\0" }"#,
    ]

    static func session() throws -> (Session, TempRecipe) {
        let recipe = try TempRecipe(["recipe.lua": "return nil\n"])
        let redactor = Redactor()
        let session = try Session(options: EngineOptions(), libraries: Libraries.all,
                                  console: Console(color: false, redactor: redactor), redactor: redactor, recipeDirectory: recipe.dir)
        // The Swift path: the host function's body, with no C path in front.
        let swift = try #require(JSONBinding.library.make(session.context).first { $0.name == "unidesk.json.encode" })
        try session.lua.setGlobal("swift_encode", .function(HostFunction(swift.name, swift.body)))
        try session.execute("""
            json = require 'unidesk.json'
            function deep(n) local t = {} for _ = 2, n do t = { t } end return t end
            function cycle() local t = {}; t.self = t; return t end
            -- Both paths on one line, so that errors name the same place.
            function both(...) local n = select("#", ...); local c = table.pack(pcall(json.encode, ...)); local s = table.pack(pcall(swift_encode, ...)); return n, c, s end
            """, chunkName: "@setup.lua")
        return (session, recipe)
    }

    @Test func everyInputEncodesAsTheSwiftPathEncodedIt() throws {
        let (session, recipe) = try Self.session()
        defer { session.finish(); _ = recipe }
        var written = 0, refused = 0
        for args in Self.corpus {
            let r = try session.execute("""
                local n, c, s = both(\(args))
                return c.n == s.n, c[1] == s[1], c[2] == s[2], tostring(c[1]), tostring(c[2]), tostring(s[2]), n
                """, chunkName: "@recipe.lua")
            #expect(r[0].bool == true && r[1].bool == true && r[2].bool == true,
                    "json.encode(\(args)): C path \(r[3].textValue ?? "?") \(r[4].textValue ?? "?"), Swift path \(r[5].textValue ?? "?")")
            if r[3].textValue == "true" { written += 1 } else { refused += 1 }
        }
        #expect(written >= 60 && refused >= 35, "\(written) written, \(refused) refused")
    }

    /// Random doubles (every bit pattern) and random byte strings in each invalid_utf8 mode,
    /// one call each, so that a value C hands over does not hide the others.
    @Test func randomDoublesAndBytesEncodeAsTheSwiftPathEncodedThem() throws {
        let (session, recipe) = try Self.session()
        defer { session.finish(); _ = recipe }
        let r = try session.execute(#"""
            math.randomseed(21, 7)
            local mismatches, first = 0, nil
            local function compare(...)
              local _, c, s = both(...)
              if c[1] ~= s[1] or c[2] ~= s[2] then
                mismatches = mismatches + 1
                first = first or (tostring(c[2]) .. " vs " .. tostring(s[2]))
              end
            end
            for _ = 1, 3000 do
              compare(string.unpack("<d", string.pack("<i8", math.random(math.mininteger, math.maxinteger))))
              compare(math.random(-10^8, 10^8) * 10.0 ^ math.random(-30, 30))
              compare(math.random(math.mininteger, math.maxinteger) + 0.0)
            end
            local pool = { "\x00", "a", "\"", "\\", "\x7f", "\x80", "\xbf", "\xc0", "\xc2", "\xdf", "\xe0", "\xe2", "\xed", "\xef",
                           "\xf0", "\xf4", "\xf5", "\xff", "\xa0", "\x9f", "\x90", "\x8f", "\xa8", "\xa9", "é", "😀", "\u{2028}" }
            for _ = 1, 3000 do
              local parts = {}
              for i = 1, math.random(1, 8) do parts[i] = pool[math.random(#pool)] end
              local s = table.concat(parts)
              compare(s, { invalid_utf8 = "replace" })
              compare(s, { invalid_utf8 = "escape" })
              compare({ [1] = s }, { invalid_utf8 = "error" })
            end
            return mismatches, first
            """#, chunkName: "@recipe.lua")
        #expect(r[0].int == 0, "\(r[1].textValue ?? "")")
    }
}

private extension LuaValue {
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    var int: Int64? { if case .int(let i) = self { return i }; return nil }
}
