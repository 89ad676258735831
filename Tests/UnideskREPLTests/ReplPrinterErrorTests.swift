import LuaRuntime
import Testing
@testable import UnideskREPL

/// How an input's error reads: `kind: message` for a structured error, the failing line of
/// a multi-line input quoted, tracebacks of the user's frames as `unidesk run` shows them.
@Suite struct ReplPrinterErrorTests {
    /// The error `code` raises, rendered for an input of `code`'s lines.
    func rendered(_ code: String, before: String? = nil) throws -> (message: String, details: [String]) {
        let lua = try LuaState()
        defer { lua.close() }
        if let before { try lua.run(before, chunkName: "=repl") }
        do {
            try lua.run(code, chunkName: "=repl")
        } catch {
            return ReplErrorText.render(error, input: code.components(separatedBy: "\n"))
        }
        Issue.record("no error from \(code)")
        return ("", [])
    }

    @Test("plain error: as today, Lua's own location and the traceback")
    func plain() throws {
        let r = try rendered(#"error("boom")"#)
        #expect(r.message == "repl:1: boom")
        #expect(r.details == ["stack traceback:", "repl:1: in main chunk"])
    }

    @Test("structured error on one line: kind: message, no location (it is the line just typed)")
    func structuredOneLine() throws {
        let r = try rendered(#"error({ kind = "network", message = "could not connect to db:5432" })"#)
        #expect(r.message == "network: could not connect to db:5432")
        #expect(r.details == ["stack traceback:", "repl:1: in main chunk"])
    }

    /// A primitive's error: a table with kind and message that renders itself (__tostring).
    static func primitiveError(_ kind: String, _ message: String) -> String {
        #"error(setmetatable({ kind = "\#(kind)", message = "\#(message)" }, { __tostring = function(e) return e.message end }))"#
    }

    @Test("a primitive's error shows its kind; unidesk.fail's does not (its message says it all, as in unidesk run)")
    func primitive() throws {
        #expect(try rendered(Self.primitiveError("not_found", "no such file: 'x'")).message == "not_found: no such file: 'x'")
        #expect(try rendered(Self.primitiveError("fail", "deploy aborted")).message == "deploy aborted")
    }

    @Test("structured error in a multi-line input: the failing line quoted, trimmed")
    func structuredMultiLine() throws {
        let r = try rendered("local x = 1\n   error({ kind = \"network\", message = \"down\" })   \nreturn x")
        #expect(r.message == "network: down")
        #expect(r.details == [#"at line 2: error({ kind = "network", message = "down" })"#,
                              "stack traceback:", "repl:2: in main chunk"])
    }

    @Test("raised inside a function an earlier input defined: its location stays, the input's line is quoted")
    func earlierFunction() throws {
        let r = try rendered("local a = 1\nlocal b = 2\nf()", before: "function f()\n  error({ kind = \"denied\", message = \"no\" })\nend")
        #expect(r.message == "repl:2: denied: no")
        #expect(r.details.first == "at line 3: f()")
    }

    @Test("plain error in a multi-line input also quotes its line; a line creating a secret is not quoted")
    func plainMultiLine() throws {
        #expect(try rendered("local a = 1\nerror('boom')").details.first == "at line 2: error('boom')")
        #expect(try rendered("local a = 1\nlocal s = unidesk_secret_missing.secret('x')").details.first == "at line 2")
    }

    @Test("a syntax error has no traceback and no quoted line")
    func syntax() {
        let r = ReplErrorText.render(LuaError(message: "repl:1: unexpected symbol near '*'"), input: ["1 +* 2"])
        #expect(r.message == "repl:1: unexpected symbol near '*'")
        #expect(r.details.isEmpty)
    }
}
