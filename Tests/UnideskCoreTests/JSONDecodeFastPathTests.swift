import Foundation
import LuaRuntime
import Testing
@testable import UnideskCore
@testable import UnideskBindings
import UnideskData

/// json.decode builds its Lua values in C (CLuaShim's json.c). Every input gives what the
/// Swift path gave (JSONParser, then LuaData.toLua, the path the other families still use):
/// the same values, integers and floats kept apart, and the same errors with their position.
@Suite struct JSONDecodeFastPathTests {
    static let corpus: [[UInt8]] = {
        var texts: [String] = [
            "{}", "[]", "null", "true", "false", "0", "-0", "-0.0", "1.5e3", "1E-2", "2e+2", "0.1",
            "123456789012345678", "-123456789012345678", "1234567890123456789", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "1e-400", "4.9e-324",
            "123456789012345678901234567890", "1." + String(repeating: "5", count: 300),
            #""a\"b\\c\/d\b\f\n\r\t""#, #""\u00e9\u0041\u0000""#, #""\uD83D\uDE00 \ud83d\ude00""#, #""\u2028""#,
            "\"日本 😀\"", #"{"a":1,"a":2}"#, #"{"1":1,"":[],"\u0000k":{}}"#, "[null,null,{\"x\":null}]",
            "\u{FEFF}[true]", " \t\r\n 1 \n", #"{"k":[1,{"n":null}],"f":-1.25e-3,"s":"x\ny"}"#,
            // (Swift reads back at most 100 levels; the 512-level limit has its own test below.)
            String(repeating: "[", count: 90) + String(repeating: "]", count: 90),
            String(repeating: "{\"a\":", count: 90) + "1" + String(repeating: "}", count: 90),
            // errors
            "", "   ", "\u{FEFF}", "[1,]", "{,}", "{\"a\" 1}", "{\"a\":1,}", "{1:2}", "tru", "nul", "01", "-01", "1.", "1e", "-", "+1",
            "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800x\"",
            "\"a\u{1}\"", "1e400", "-1e400", "[] x", "\n\n  [1,\n 2,,]", "{\"é\": é}", "[1 2]", "{\"a\":1 \"b\":2}",
            String(repeating: "[", count: 513) + String(repeating: "]", count: 513),
            String(repeating: "[", count: 1_000_000),
        ]
        texts.append((0..<60).map { #"{"id":\#($0),"name":"item-\#($0)","price":\#(Double($0) * 1.25),"tags":["a","b"],"ok":\#($0 % 2 == 0),"none":null}"# }
            .joined(separator: ",\n").reduce(into: "[") { $0.append($1) } + "]")
        var bytes = texts.map { Array($0.utf8) }
        // Bytes that are not UTF-8, in a string and outside one.
        bytes += [[0x22, 0xFF, 0x22], [0x5B, 0x22, 0xC3, 0x28, 0x22, 0x5D], [0x22, 0xED, 0xA0, 0x80, 0x22], [0xFF],
                  [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xE0, 0x80, 0x80, 0x22], [0x22, 0xC3], [0x22, 0x5C, 0x6E, 0xC3, 0xA9, 0xFE, 0x22]]
        return bytes
    }()

    /// What the Swift path raised or returned for `bytes` given as a Lua string.
    static func swiftPath(_ bytes: [UInt8]) -> Result<LuaValue, ErrorFields> {
        do {
            return .success(LuaData.toLua(try JSON.decode(String(decoding: bytes, as: UTF8.self))))
        } catch {
            return .failure(ErrorFields(kind: "invalid", message: "json.decode: \(error.message)",
                                        line: error.line.map(Int64.init), column: error.column.map(Int64.init)))
        }
    }

    struct ErrorFields: Error, Equatable {
        var kind: String?, message: String?, line: Int64?, column: Int64?
    }

    /// Lua source for a string literal holding exactly `bytes`.
    static func literal(_ bytes: [UInt8]) -> String {
        var s = "\""
        for b in bytes {
            if b >= 0x20, b < 0x7F, b != 0x22, b != 0x5C { s.unicodeScalars.append(Unicode.Scalar(b)) } else { s += String(format: "\\%03d", b) }
        }
        return s + "\""
    }

    @Test func everyInputDecodesAsTheSwiftPathDecodedIt() throws {
        let recipe = try TempRecipe(["recipe.lua": "return nil\n"])
        let redactor = Redactor()
        let session = try Session(options: EngineOptions(), libraries: Libraries.all,
                                  console: Console(color: false, redactor: redactor), redactor: redactor, recipeDirectory: recipe.dir)
        defer { session.finish(); _ = recipe }
        for bytes in Self.corpus {
            let shown = String(decoding: bytes.prefix(80), as: UTF8.self)
            let r = try session.execute("local json = require 'unidesk.json'\nreturn pcall(json.decode, \(Self.literal(bytes)))", chunkName: "@recipe.lua")
            switch Self.swiftPath(bytes) {
            case .success(let expected):
                #expect(r.first?.bool == true, "\(shown): \(r)")
                #expect(Self.same(r[1], expected), "\(shown): \(r[1]) vs \(expected)")
            case .failure(let expected):
                #expect(r.first?.bool == false, "\(shown)")
                guard let t = r[1].tableValue else { Issue.record("\(shown): \(r[1])"); continue }
                func int(_ k: String) -> Int64? { if case .int(let i) = t[k] { return i }; return nil }
                let got = ErrorFields(kind: t["kind"].stringValue, message: t["message"].stringValue, line: int("line"), column: int("column"))
                #expect(got == expected, "\(shown)")
                #expect(t["where"].stringValue == "recipe.lua:2", "\(shown)")
            }
        }
    }

    @Test func nestingUpTo512LevelsDecodesAndDeeperIsRefused() throws {
        let recipe = try TempRecipe(["recipe.lua": "return nil\n"])
        let redactor = Redactor()
        let session = try Session(options: EngineOptions(), libraries: Libraries.all,
                                  console: Console(color: false, redactor: redactor), redactor: redactor, recipeDirectory: recipe.dir)
        defer { session.finish(); _ = recipe }
        let r = try session.execute("""
            local json = require 'unidesk.json'
            local function depth(v, key) local d = 0; while type(v) == "table" do d = d + 1; v = v[key] end; return d, v end
            local a = depth(json.decode(string.rep("[", 512) .. string.rep("]", 512)), 1)
            local o, leaf = depth(json.decode(string.rep('{"a":', 512) .. "1" .. string.rep("}", 512)), "a")
            local ok, e = pcall(json.decode, string.rep("[", 513) .. string.rep("]", 513))
            return a, o, leaf, e.message
            """, chunkName: "@recipe.lua")
        #expect(r[0].int == 512 && r[1].int == 512 && r[2].int == 1)
        #expect(r[3].stringValue == "json.decode: invalid JSON at line 1, column 513: nesting deeper than 512 levels")
    }

    /// Deep equality that tells integers from floats, and -0.0 from 0.0.
    static func same(_ a: LuaValue, _ b: LuaValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.number(let x), .number(let y)): return x.bitPattern == y.bitPattern
        case (.string(let x), .string(let y)): return Array(x.utf8) == Array(y.utf8)
        case (.table(let x), .table(let y)):
            guard x.array.count == y.array.count, x.otherKeys == y.otherKeys, zip(x.array, y.array).allSatisfy(same) else { return false }
            var xf: [[UInt8]: LuaValue] = [:], yf: [[UInt8]: LuaValue] = [:]
            for (k, v) in x.fields { xf[Array(k.utf8)] = v }
            for (k, v) in y.fields { yf[Array(k.utf8)] = v }
            return xf.count == yf.count && xf.allSatisfy { k, v in yf[k].map { same(v, $0) } ?? false }
        default: return false
        }
    }
}

private extension LuaValue {
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    var int: Int64? { if case .int(let i) = self { return i }; return nil }
}
