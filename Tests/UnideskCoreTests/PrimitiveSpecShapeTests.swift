import LuaRuntime
import Testing
@testable import UnideskCore

/// Methods are an explicit shape of a spec: their names, checks and the object argument.
@Suite struct PrimitiveSpecShapeTests {
    let method = PrimitiveSpec(module: "pg", name: "tx", shape: .method(of: "connection"), summary: "",
                               params: [Param("fn", .function, "")])

    @Test("a method is named after its class; the module's table holds it as class:name")
    func names() {
        #expect(method.name == "tx")
        #expect(method.memberName == "connection:tx")
        #expect(method.fullName == "unidesk.pg.connection:tx")
        #expect(method.operation == "pg.connection:tx")
        let function = PrimitiveSpec(module: "fs", name: "read", summary: "")
        #expect(function.memberName == "read")
        #expect(function.fullName == "unidesk.fs.read")
    }

    func argumentError(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return (error as? HostError)?.text(calling: method.fullName) ?? "\(error)" }
    }

    @Test("the object is argument #1: missing, it is named; the others are numbered after it")
    func receiver() {
        #expect(argumentError { try method.check(receiver: .nil, [.opaque("function")]) }
                == "bad argument #1 to 'unidesk.pg.connection:tx' (connection expected (call it as connection:tx(…)))")
        #expect(argumentError { try method.check(receiver: .int(1), [.int(5)]) }
                == "bad argument #2 to 'unidesk.pg.connection:tx' (function expected, got number)")
        #expect(argumentError { try method.check(receiver: .int(1), [.opaque("function")]) } == nil)
    }

    @Test("a last parameter named ... takes any number of values; otherwise extra values are refused")
    func variadic() {
        let step = CoreSpecs.step
        #expect(argumentError { try step.check([.string("s"), .opaque("function"), .int(1), .int(2)]) } == nil)
        let fixed = PrimitiveSpec(module: "x", name: "y", summary: "", params: [Param("a", .string, "")])
        #expect(argumentError { try fixed.check([.string("s"), .int(1)]) }?.contains("no such parameter") == true)
    }

    @Test("an element that does not fit is named by its path, however deep; elements that fit pass")
    func elementPaths() {
        let rows = PrimitiveSpec(module: "pg", name: "rows", summary: "",
                                 params: [Param("rows", .array(.array(.integer)), ""), Param("opts", .map(.record([Param("n", .integer, "")])), optional: true, "")])
        func list(_ v: [LuaValue]) -> LuaValue { .table(LuaTable(array: v)) }
        #expect(argumentError { try rows.check([list([list([.int(1)]), list([.int(2), .int(3)])])]) } == nil)
        #expect(argumentError { try rows.check([list([list([.int(1)]), list([.int(2), .string("x")])])]) }?
                    .contains("(field '[2][2]': integer expected, got string)") == true)
        let opts = LuaValue.table(LuaTable(fields: [("a", .table(LuaTable(fields: [("n", .int(1))]))), ("b", .table(LuaTable(fields: [("n", .string("x"))])))]))
        #expect(argumentError { try rows.check([list([]), opts]) }?.contains("(field 'b.n': integer expected, got string)") == true)
        // Any value fits .any: a list of them is checked as a sequence only.
        let anyList = PrimitiveSpec(module: "pg", name: "p", summary: "", params: [Param("params", .array(.any), "")])
        #expect(argumentError { try anyList.check([list([.int(1), .string("s"), .bool(true)])]) } == nil)
        #expect(argumentError { try anyList.check([.table(LuaTable(fields: [("k", .int(1))]))]) }?.contains("a sequence expected") == true)
    }
}
