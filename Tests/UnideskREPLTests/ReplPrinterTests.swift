import LuaRuntime
import Testing
@testable import UnideskREPL

/// How values print, without a session.
@Suite struct ReplPrinterTests {
    @Test("scalars as Lua shows them; several values tab-separated")
    func scalars() {
        #expect(ReplPrinter.render([.int(3), .number(2), .number(0.5), .bool(true), .nil, .null])
                == "3\t2.0\t0.5\ttrue\tnil\tnull")
        #expect(ReplPrinter.render([.number(.infinity), .number(-.infinity)]) == "inf\t-inf")
        #expect(ReplPrinter.render([.opaque("userdata")]) == "<userdata>")
    }

    @Test("a secret never prints its value")
    func secret() {
        #expect(ReplPrinter.render([.secret(Secret("hunter2"))]) == "<secret>")
        let t = LuaTable(fields: [("password", .secret(Secret("hunter2")))])
        #expect(ReplPrinter.render([.table(t)]) == "{ password = <secret> }")
    }

    @Test("strings are quoted; control characters and bidi overrides are escaped, never sent raw")
    func strings() {
        #expect(ReplPrinter.render([.string("a \"b\"\n\\")]) == #""a \"b\"\n\\""#)
        #expect(ReplPrinter.render([.string("\u{1B}[31m")]) == #""\27[31m""#)
        #expect(ReplPrinter.render([.string("\u{1}2")]) == #""\0012""#)
        #expect(ReplPrinter.render([.string("x\u{202E}y")]) == #""x\u{202E}y""#)
        #expect(ReplPrinter.render([.bytes([0x61, 0xFF, 0x31])]) == #""a\2551""#)
    }

    @Test("keys that are not identifiers are bracketed")
    func keys() {
        #expect(ReplPrinter.key("name") == "name")
        #expect(ReplPrinter.key("end") == #"["end"]"#)
        #expect(ReplPrinter.key("a-b") == #"["a-b"]"#)
        #expect(ReplPrinter.key("1x") == #"["1x"]"#)
    }

    @Test("a short table on one line, a long one over several, deep ones cut")
    func tables() {
        let short = LuaTable(array: [.int(1), .int(2)], fields: [("ok", .bool(true))])
        #expect(ReplPrinter.render([.table(short)]) == "{ 1, 2, ok = true }")
        #expect(ReplPrinter.render([.table(LuaTable())]) == "{}")

        let long = LuaTable(fields: [("description", .string(String(repeating: "x", count: 50))),
                                     ("nested", .table(short))])
        #expect(ReplPrinter.render([.table(long)]) == """
        {
          description = "\(String(repeating: "x", count: 50))",
          nested = { 1, 2, ok = true }
        }
        """)

        var deep = LuaTable(array: [.int(0)])
        for _ in 0..<5 { deep = LuaTable(array: [.table(deep)]) }
        #expect(ReplPrinter.render([.table(deep)]) == "{ { { { { … } } } } }")
    }

    @Test("past 30 entries, the rest is …")
    func manyEntries() {
        let t = LuaTable(fields: (1...40).map { (String(format: "k%02d", $0), .int(Int64($0))) })
        let shown = ReplPrinter.render([.table(t)])
        #expect(shown.hasSuffix("k30 = 30,\n  …\n}"))
        #expect(!shown.contains("31"))
    }
}
