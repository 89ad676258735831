import LuaRuntime
import Testing
import UnideskREPL

/// How the REPL reads what was typed so far, decided by the Lua compiler without a terminal.
@Suite struct ReplChunkTests {
    let lua: LuaState

    init() throws { lua = try LuaState() }

    func classify(_ code: String, final: Bool = false) -> ReplChunk {
        ReplChunk.classify(code, final: final, compiler: lua, chunkName: "=repl")
    }

    @Test("an expression runs as `return <input>` so its value prints")
    func expression() {
        #expect(classify("1 + 2") == .run("return 1 + 2"))
        #expect(classify("f(1), 'x'") == .run("return f(1), 'x'"))
    }

    @Test("`=expr` is the expression's value, as in LuaJIT's REPL")
    func equalsExpression() {
        #expect(classify("=1 + 2") == .run("return 1 + 2"))
        #expect(classify("= x, y") == .run("return  x, y"))
        #expect(classify("={") == .incomplete)
        #expect(classify("={", final: true) != .incomplete)
        if case .syntaxError(let e) = classify("=x = 1") { #expect(e.message.contains("'='")) } else { Issue.record("=x = 1 is not an expression") }
    }

    @Test("a statement runs as typed")
    func statement() {
        #expect(classify("x = 1") == .run("x = 1"))
        #expect(classify("local t = {}\nt.a = 1") == .run("local t = {}\nt.a = 1"))
    }

    @Test("an unfinished statement waits for more lines; at the end of input it is the error")
    func incomplete() {
        #expect(classify("function f()") == .incomplete)
        #expect(classify("t = {") == .incomplete)
        #expect(classify("if x then") == .incomplete)
        #expect(classify("x = 1 +* 2") != .incomplete)   // an error before the end is an error at once
        guard case .syntaxError(let e) = classify("function f()", final: true) else {
            Issue.record("expected a syntax error at the end of input")
            return
        }
        #expect(e.message.hasSuffix("near <eof>"))
    }

    @Test("an input rejected at its first token shows the expression's error, near the real culprit")
    func errorNearCulprit() {
        guard case .syntaxError(let e) = classify("1 +* 2") else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(e.message.hasSuffix("near '*'"))
        guard case .syntaxError(let s) = classify("x = = 1") else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(s.message.hasSuffix("near '='"))
        #expect(s.message.hasPrefix("repl:1:"))
    }
}
