import LuaRuntime
import Testing
import UnideskCore
@testable import UnideskREPL

/// A session's names as a tree: a table is a dictionary, anything else a leaf (function or not).
private struct FakeNames: ReplNames {
    indirect enum Value {
        case table([String: Value])
        case function
        case other
    }

    let globals: [String: Value]

    func keys(at path: [String]) -> [CompletionKey]? {
        var value = Value.table(globals)
        for name in path {
            guard case .table(let t) = value, let next = t[name] else { return nil }
            value = next
        }
        guard case .table(let t) = value else { return [] }
        return t.map { name, v in
            if case .function = v { return CompletionKey(name: name, isFunction: true) }
            return CompletionKey(name: name, isFunction: false)
        }
    }
}

private func makeCompleter() -> ReplCompleter { ReplCompleter(
    names: FakeNames(globals: [
        "print": .function, "pairs": .function, "pcall": .function, "_G": .other, "_VERSION": .other,
        "unidesk": .table(["env": .function, "mode": .other, "vars": .table(["version": .other])]),
        "string": .table(["format": .function, "find": .function, "rep": .function]),
        "kube": .table(["apply": .function, "get": .function]),
        "conn": .table(["exec": .function, "query": .function, "tx": .function, "database": .other,
                        "__tostring": .function]),
        "package": .table(["loaded": .table(["unidesk.pg": .table(["connect": .function])])]),
    ]),
    commands: ["help", "modules", "mode", "more", "allow", "reset", "quit"],
    capabilities: ["kube.apply", "kube.delete", "pg.exec", "http.post"],
    hostModules: ["unidesk.kube": ["apply", "get", "delete"]]) }

private func complete(_ line: String) -> ReplCompletion { makeCompleter().complete(line) }

extension ReplCompletion {
    var candidatesCount: Int {
        if case .words(_, let c) = self { return c.count }
        return 0
    }
}

@Suite("ReplCompleter: what TAB offers for the text before the cursor")
struct ReplCompleterTests {
    @Test("a global from its first letters")
    func globals() {
        #expect(complete("pri") == .words(start: 0, candidates: ["print"]))
        #expect(complete("x = un") == .words(start: 4, candidates: ["unidesk"]))
        #expect(complete("p") == .words(start: 0, candidates: ["package", "pairs", "pcall", "print"]))
        #expect(complete("nosuch") == .none)
    }

    @Test("more candidates than TAB lists: only what they share is inserted")
    func tooMany() {
        let many = (0..<(ReplCompleter.listLimit + 1)).map { "key\($0)" }
        #expect(ReplCompleter.words(start: 2, typed: "k", from: many) == .words(start: 2, candidates: ["key"]))
        #expect(ReplCompleter.words(start: 2, typed: "key1", from: many).candidatesCount > 1)
    }

    @Test("names starting with _ only when the typed text does")
    func underscoreNames() {
        #expect(complete("_") == .words(start: 0, candidates: ["_G", "_VERSION"]))
        #expect(complete("conn:") == .words(start: 5, candidates: ["exec", "query", "tx"]))
    }

    @Test("a field of a table reached by a chain of names")
    func fields() {
        #expect(complete("unidesk.en") == .words(start: 8, candidates: ["env"]))
        #expect(complete("string.fo") == .words(start: 7, candidates: ["format"]))
        #expect(complete("print(unidesk.vars.ve") == .words(start: 19, candidates: ["version"]))
        #expect(complete("kube.ap") == .words(start: 5, candidates: ["apply"]))
        #expect(complete("nosuch.x") == .none)
    }

    @Test("methods after ':' are the functions only")
    func methods() {
        #expect(complete("conn:") == .words(start: 5, candidates: ["exec", "query", "tx"]))
        #expect(complete("conn:q") == .words(start: 5, candidates: ["query"]))
        #expect(complete("conn.d") == .words(start: 5, candidates: ["database"]))
    }

    @Test("require(\"x\"). : a loaded module's table, else a unidesk host module's functions")
    func requireCall() {
        #expect(complete("require(\"unidesk.pg\").con") == .words(start: 22, candidates: ["connect"]))
        #expect(complete("require 'unidesk.kube'.ap") == .words(start: 23, candidates: ["apply"]))
        #expect(complete("require(\"unidesk.kube\").") == .words(start: 24, candidates: ["apply", "delete", "get"]))
        #expect(complete("require(\"mine\").x") == .none)
        #expect(complete("notrequire(\"unidesk.kube\").ap") == .none)
    }

    @Test("nothing that would need running code: calls, indexing, literals, concatenation")
    func noEvaluation() {
        #expect(complete("f().x") == .none)
        #expect(complete("t[1].x") == .none)
        #expect(complete("(\"abc\"):up") == .none)
        #expect(complete("1.5") == .none)
        #expect(complete("s = unidesk..un") == .none)
    }

    @Test(":commands at the start of the line")
    func commands() {
        #expect(complete(":mod") == .words(start: 1, candidates: ["mode", "modules"]))
        #expect(complete(":he") == .words(start: 1, candidates: ["help"]))
        #expect(complete("  :q") == .words(start: 3, candidates: ["quit"]))
        #expect(complete("::lab") == .none)
        #expect(complete(":reset x") == .none)
    }

    @Test("capabilities and family.* after :allow, also after a quote")
    func capabilities() {
        #expect(complete(":allow pg.e") == .words(start: 7, candidates: ["pg.exec"]))
        #expect(complete(":allow ku") == .words(start: 7, candidates: ["kube.*", "kube.apply", "kube.delete"]))
        #expect(complete(":allow 'h") == .words(start: 8, candidates: ["http.*", "http.post"]))
        #expect(complete(":allow pg.exec x") == .none)
    }

    @Test(":help NAME and ?NAME complete the name as Lua does, and module short names")
    func helpArgument() {
        #expect(complete(":help string.fo") == .words(start: 13, candidates: ["format"]))
        #expect(complete("?string.fo") == .words(start: 8, candidates: ["format"]))
        #expect(complete("help(string.fo") == .words(start: 12, candidates: ["format"]))
        // Help knows the modules by their short names, loaded or not.
        #expect(complete(":help kub") == .words(start: 6, candidates: ["kube"]))
        #expect(complete("?unidesk.kube") == .none)
        #expect(complete(":help nosuch.x") == .none)
        #expect(complete("? ") == .none)
        let bare = ReplCompleter(names: FakeNames(globals: [:]), commands: [], capabilities: [],
                                 hostModules: ["unidesk.kube": ["apply"]])
        #expect(bare.complete(":help kube.ap") == .words(start: 11, candidates: ["apply"]))
        #expect(bare.complete("kube.ap") == .none)
    }

    @Test("no completion in strings and comments; a tab where nothing is typed")
    func tabs() {
        #expect(complete("") == .insert("\t"))
        #expect(complete("    ") == .insert("\t"))
        #expect(complete("x = ") == .insert("\t"))
        #expect(complete("print(\"pri") == .insert("\t"))
        #expect(complete("s = 'a\\'pri") == .insert("\t"))
        #expect(complete("x = 1 -- pri") == .insert("\t"))
        #expect(complete("s = [==[ pri") == .insert("\t"))
        #expect(complete("s = [[a]] .. pri") == .words(start: 13, candidates: ["print"]))
        #expect(complete("x = \"a\" .. pri") == .words(start: 11, candidates: ["print"]))
        #expect(complete("--[[ c ]] pri") == .words(start: 10, candidates: ["print"]))
    }

    @Test("readline matches are re-cut to libedit's word")
    func readlineMatches() {
        let line = Array("x = unidesk.en".unicodeScalars)
        // libedit's word is "unidesk.en" (it does not break at '.'); the completer's is "en".
        #expect(ReplCompletion.words(start: 12, candidates: ["env"]).readlineMatches(line: line, wordStart: 4) == ["unidesk.env"])
        #expect(ReplCompletion.words(start: 12, candidates: ["env", "enx"]).readlineMatches(line: line, wordStart: 4)
                == ["unidesk.en", "unidesk.env", "unidesk.enx"])
        // A word longer than libedit's: the typed part it does not cover is dropped.
        let allow = Array(":allow 'pg.e".unicodeScalars)
        #expect(ReplCompletion.words(start: 8, candidates: ["pg.exec"]).readlineMatches(line: allow, wordStart: 11) == ["exec"])
        #expect(ReplCompletion.insert("\t").readlineMatches(line: Array("  ".unicodeScalars), wordStart: 2) == ["\t"])
        #expect(ReplCompletion.none.readlineMatches(line: line, wordStart: 4) == nil)
    }
}

/// The live reader: names come from the state without anything of the session running.
@Suite("LuaState.completionKeys reads names without running code")
struct CompletionKeysTests {
    @Test("globals, fields, __index tables followed; __index functions and __pairs never called")
    func rawReads() throws {
        let lua = try LuaState()
        defer { lua.close() }
        try lua.run("""
            calls = 0
            plain = { alpha = 1, beta = function() end }
            methods = { exec = function() end, query = function() end }
            obj = setmetatable({ own = 1 }, { __index = methods })
            trap = setmetatable({}, {
              __index = function(t, k) calls = calls + 1; error("ran __index") end,
              __pairs = function() calls = calls + 1; error("ran __pairs") end,
            })
            """, chunkName: "=setup")
        let globals = try #require(lua.completionKeys(path: []))
        #expect(globals.contains(CompletionKey(name: "plain", isFunction: false)))
        #expect(globals.contains(CompletionKey(name: "print", isFunction: true)))
        #expect(lua.completionKeys(path: ["plain"])?.map(\.name).sorted() == ["alpha", "beta"])
        #expect(lua.completionKeys(path: ["obj"])?.map(\.name).sorted() == ["exec", "own", "query"])
        #expect(lua.completionKeys(path: ["trap"]) == [])
        #expect(lua.completionKeys(path: ["trap", "x"]) == nil)
        #expect(lua.completionKeys(path: ["nosuch"]) == nil)
        // A string's methods are its metatable's __index table.
        try lua.run("s = 'x'", chunkName: "=setup")
        #expect(lua.completionKeys(path: ["s"])?.contains(CompletionKey(name: "upper", isFunction: true)) == true)
        let calls = try lua.run("return calls", chunkName: "=check")
        guard case .int(0)? = calls.first else {
            Issue.record("a metamethod ran: calls = \(calls)")
            return
        }
    }
}

@Suite("ReplSessionNames: the live session's names for TAB")
struct ReplSessionNamesTests {
    @Test("a name holding a known secret value is never offered")
    func secretNamesLeftOut() throws {
        let lua = try LuaState()
        defer { lua.close() }
        try lua.run("t = { ['hunter2hunter2'] = 1, visible = 2 }", chunkName: "=setup")
        let redactor = Redactor()
        redactor.register("hunter2hunter2")
        let names = ReplSessionNames(lua: { lua }, redactor: redactor)
        #expect(names.keys(at: ["t"])?.map(\.name) == ["visible"])
    }
}

@Suite("ReplCompleter.live: what the host libraries declare")
struct ReplHostNamesTests {
    @Test("capabilities for :allow are the writes' operations, plain names only")
    func capabilities() {
        let capabilities = ReplCompleter.hostCapabilities
        for expected in ["pg.exec", "kube.apply", "http.post", "fs.write"] {
            #expect(capabilities.contains(expected), "\(capabilities)")
        }
        #expect(!capabilities.contains { $0.contains("<") }, "\(capabilities)")
        #expect(!capabilities.contains("fs.read"), "reads need no grant")
    }

    @Test("a host module's functions, from its specs, for require(\"unidesk.x\"). before it is loaded")
    func hostModules() {
        #expect(ReplCompleter.hostModuleFunctions["unidesk.kube"]?.contains("apply") == true)
        #expect(ReplCompleter.hostModuleFunctions["unidesk.pg"]?.contains("connect") == true)
    }
}
