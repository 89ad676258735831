import LuaRuntime
import Testing
@testable import UnideskREPL

/// Cycles, shared tables, long sequences and `:more`: values as a graph (tables keep their
/// identity), built by hand or read from a real Lua state.
@Suite struct ReplPrinterGraphTests {
    typealias T = LuaGraph.Table

    /// The results of `code` as the REPL reads them.
    func shown(_ code: String, limits: ReplDisplayLimits = .brief) throws -> ReplPrinter.Shown {
        let lua = try LuaState()
        defer { lua.close() }
        return ReplPrinter.show(try lua.runForDisplay(code, chunkName: "=repl"), limits: limits)
    }

    @Test("a table inside itself: <cycle N> where it comes back, <N> on the table itself")
    func selfCycle() {
        // t = { name = "a" }; t.self = t
        let g = LuaGraph(tables: [T(fields: [("name", .scalar(.string("a"))), ("self", .table(0))])], roots: [.table(0)])
        let shown = ReplPrinter.show(g)
        #expect(shown.text == #"<1>{ name = "a", self = <cycle 1> }"#)
        #expect(!shown.shortened)
    }

    @Test("a field's table too long for one line is indented two spaces under its key")
    func nestedIndentation() throws {
        let text = try shown(#"return { deploy = { commit = "ad8b789d57e1c169d2253dd59b10d599f13d4d68", version = "2.0.0" }, status = "ok" }"#).text
        #expect(text == """
            {
              deploy = {
                commit = "ad8b789d57e1c169d2253dd59b10d599f13d4d68",
                version = "2.0.0"
              },
              status = "ok"
            }
            """, "\(text)")
    }

    @Test("two cycles are numbered in the order their tables show")
    func twoCycles() {
        // a = { b = b }, b = { up = a, me = b }
        let g = LuaGraph(tables: [T(fields: [("b", .table(1))]),
                                  T(fields: [("me", .table(1)), ("up", .table(0))])], roots: [.table(0)])
        #expect(ReplPrinter.show(g).text == "<1>{ b = <2>{ me = <cycle 2>, up = <cycle 1> } }")
    }

    @Test("a table shared by two fields (no cycle) shows in full both times")
    func shared() {
        let g = LuaGraph(tables: [T(fields: [("x", .table(1)), ("y", .table(1))]), T(array: [.scalar(.int(1))])],
                         roots: [.table(0)])
        #expect(ReplPrinter.show(g).text == "{ x = { 1 }, y = { 1 } }")
    }

    @Test("read from Lua: cycles, shared tables, and no metamethod is called")
    func fromLua() throws {
        #expect(try shown("local t = {1, 2} t.t = t return t").text == "<1>{ 1, 2, t = <cycle 1> }")
        #expect(try shown("local s = {} return { a = s, b = s }").text == "{ a = {}, b = {} }")
        // Two values: each numbers its own cycles.
        #expect(try shown("local a = {} local b = { a } a[1] = b return a, b").text
                == "<1>{ { <cycle 1> } }\t<1>{ { <cycle 1> } }")
        // __index/__pairs/__tostring would raise if called; the display reads raw.
        let meta = "setmetatable(t, { __index = function() error('called') end, __pairs = function() error('called') end, __tostring = function() error('called') end })"
        #expect(try shown("local t = { k = 1 } \(meta) t.me = t return t").text == "<1>{ k = 1, me = <cycle 1> }")
        // Deeper than the plain reader goes (it gave up: "<table>").
        let deep = try shown("local t = {} local c = t for i = 1, 200 do c.n = {} c = c.n end return t")
        #expect(deep.text == "{ n = { n = { n = { n = { … } } } } }")
    }

    @Test("depth limit stays; the cut is a shortening")
    func depth() {
        var deep = LuaTable(array: [.int(0)])
        for _ in 0..<5 { deep = LuaTable(array: [.table(deep)]) }
        let shown = ReplPrinter.show(LuaGraph(values: [.table(deep)]))
        #expect(shown.text == "{ { { { { … } } } } }")
        #expect(shown.shortened)
        #expect(ReplPrinter.show(LuaGraph(values: [.table(deep)]), limits: .full).text == "{ { { { { { 0 } } } } } }")
    }

    @Test("a long sequence on one line: its first items and its length")
    func longSequence() throws {
        let shown = try shown("local t = {} for i = 1, 300 do t[i] = i end return t")
        #expect(shown.text == "{ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … (300 items) }")
        #expect(shown.shortened)
        // A short one, or one that fits on a line, shows whole.
        #expect(try self.shown("return {1,2,3,4,5,6,7,8,9,10,11,12}").text == "{ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }")
        #expect(try !self.shown("return {1,2,3,4,5,6,7,8,9,10,11,12}").shortened)
    }

    @Test("a mixed table keeps its keys next to the summary")
    func mixed() throws {
        let text = try shown("local t = { kind = 'List', total = 300 } for i = 1, 300 do t[i] = i * 1000 end return t").text
        #expect(text == """
        {
          1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, … (300 items),
          kind = "List",
          total = 300
        }
        """)
    }

    @Test("a list of rows: the first rows one level deep, so the shape shows")
    func rows() throws {
        let text = try shown("""
        local rows = {} for i = 1, 50 do rows[i] = { id = i, name = 'user' .. i, tags = { 'a' } } end return rows
        """).text
        #expect(text == #"{ { id = 1, name = "user1", tags = { … } }, … (50 items) }"#)
    }

    @Test("secrets stay masked in the brief and the full display")
    func secrets() {
        let s = LuaValue.secret(Secret("hunter2"))
        let t = LuaTable(array: Array(repeating: s, count: 40), fields: [("password", s)])
        for limits in [ReplDisplayLimits.brief, .full] {
            let text = ReplPrinter.show(LuaGraph(values: [.table(t)]), limits: limits).text
            #expect(!text.contains("hunter2"))
            #expect(text.contains("password = <secret>"))
        }
    }

    @Test(":more shows the last shortened value in full, cycles still marked; says so when nothing was shortened")
    func more() throws {
        var more = ReplMore()
        #expect(more.more() == ReplMore.nothing)
        #expect(more.present(LuaGraph(values: [.int(1)])) == "1")
        #expect(more.more() == ReplMore.nothing)

        let lua = try LuaState()
        defer { lua.close() }
        let long = try lua.runForDisplay("local t = { } for i = 1, 40 do t[i] = i end t.me = t return t", chunkName: "=repl")
        // The hint comes once.
        #expect(more.present(long) == "<1>{ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … (40 items), me = <cycle 1> }\n"
                + ReplMore.hint)
        #expect(!more.present(long).contains(ReplMore.hint))
        let full = more.more()
        // Every item, scalars packed on lines of up to 80 columns.
        #expect(full == """
        <1>{
          1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
          22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
          me = <cycle 1>
        }
        """)
        // A later value shown whole leaves the last shortened one for :more.
        _ = more.present(LuaGraph(values: [.int(2)]))
        #expect(more.more() == full)
    }

    @Test(":more parses as a command")
    func moreCommand() {
        #expect(ReplCommandLine.parse(":more") == .more)
    }
}
