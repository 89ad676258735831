import Foundation
import Testing

/// The REPL as an operator uses it, on a pseudo-terminal: history of multi-line inputs,
/// Ctrl-D on a continuation line, help, the display of cycles, :reload, the note on locals.
@Suite("REPL on a terminal: history, help, display, session commands")
struct ReplSessionTerminalTests {
    /// Types `line` and Enter, then waits for the next prompt at the start of a line (a
    /// value can hold "> " too); returns what was printed.
    @discardableResult
    func enter(_ t: ReplTerminal, _ line: String, prompt: String = "> ") throws -> String {
        t.send(line)
        t.send(key: .enter)
        return try t.waitForPrompt("\n" + prompt)
    }

    /// x = 0, then a three-line loop that adds 1 + 2 + 3 to x: one multi-line input.
    func typeSumLoop(_ t: ReplTerminal) throws {
        try enter(t, "x = 0")
        try enter(t, "for i = 1, 3 do", prompt: ">> ")
        try enter(t, "  x = x + i", prompt: ">> ")
        try enter(t, "end")
    }

    @Test("a multi-line input is one history entry: Up brings it back whole, Enter runs it again")
    func multiLineHistory() throws {
        let t = try ReplTerminal.start()
        defer { t.close() }
        try t.waitForPrompt()
        try typeSumLoop(t)
        #expect(try enter(t, "=x").hasSuffix("6\n> "))
        t.send(key: .up)   // =x
        t.send(key: .up)   // the whole loop
        try t.waitForCursorLine("end")
        t.send(key: .enter)
        try t.waitForPrompt("\n> ")
        let again = try enter(t, "=x")
        #expect(again.hasSuffix("12\n> "), "the loop ran again: \(t.output)")
        t.send(key: .ctrlD)
        #expect(try t.wait() == 0)
        let history = try String(contentsOfFile: t.historyPath, encoding: .utf8)
        let entries = history.split(separator: "\n").filter { $0 != "_HiStOrY_V2_" }
        // libedit writes a newline inside an entry as \012 (vis(3)).
        #expect(entries.contains("for\\040i\\040=\\0401,\\0403\\040do\\012\\040\\040x\\040=\\040x\\040+\\040i\\012end"), "\(entries)")
        #expect(!entries.contains("end"), "no entry holds the last line alone: \(entries)")
    }

    @Test("Ctrl-R finds a multi-line input by a word of any of its lines; Enter runs it")
    func reverseSearch() throws {
        let t = try ReplTerminal.start()
        defer { t.close() }
        try t.waitForPrompt()
        try typeSumLoop(t)
        try enter(t, "y = 1")
        t.send(key: .ctrlR)
        t.send("x + i")
        // libedit shows the search under the entry it found, the cursor on the entry's first line.
        try t.waitUntil("the search line under the loop") { $0.screenText.contains("end\nbck:x + i") }
        t.send(key: .enter)
        try t.waitForPrompt("\n> ")
        #expect(try enter(t, "=x").hasSuffix("12\n> "), "the loop ran a second time: \(t.output)")
    }

    @Test("Ctrl-D on a continuation line drops that input; the session goes on")
    func ctrlDOnAContinuationLine() throws {
        let t = try ReplTerminal.start()
        defer { t.close() }
        try t.waitForPrompt()
        try enter(t, "function g()", prompt: ">> ")
        t.send(key: .ctrlD)
        try t.waitForPrompt("\n> ")
        #expect(try enter(t, "=g").hasSuffix("nil\n> "), "g was never defined")
        #expect(try enter(t, "=1 + 1").hasSuffix("2\n> "))
        t.send(key: .ctrlD)
        #expect(try t.wait() == 0)
    }

    @Test("?NAME and help(value) print the reference; an object lists its methods")
    func help() throws {
        let t = try ReplTerminal.start(arguments: ["repl", "--timeout", "20"])
        defer { t.close() }
        try t.waitForPrompt()
        #expect(try enter(t, "?kube.apply").contains("Effect: **write**"))
        try enter(t, ":mode plan-offline")
        try enter(t, "pg = require 'unidesk.pg'")
        try enter(t, "conn = pg.connect('host=db dbname=app user=app')")
        #expect(try enter(t, "help(conn)").contains("a pg.connection object; its methods: close, exec, exec_many, query, script, tx"))
        #expect(try enter(t, "help(conn.exec_many)").contains("## `unidesk.pg.connection:exec_many(sql, rows, [options])`"))
        #expect(try enter(t, "help(pg)").contains("# `unidesk.pg`"))
    }

    @Test("a table inside itself shows its cycle; a long list its length")
    func display() throws {
        let t = try ReplTerminal.start()
        defer { t.close() }
        try t.waitForPrompt()
        try enter(t, "t = { name = 'web' }; t.self = t")
        let cycle = try enter(t, "=t")
        #expect(cycle.hasSuffix("<1>{ name = \"web\", self = <cycle 1> }\n> "), "\(cycle)")
        try enter(t, "list = {}; for i = 1, 300 do list[i] = i end")
        let list = try enter(t, "=list")
        #expect(list.contains("… (300 items) }"), "\(list)")
        let more = try enter(t, ":more")
        #expect(more.contains("299, 300\n}"), "\(more)")
    }

    @Test(":reload loads the recipe's module again; a broken one keeps the old, with its error")
    func reload() throws {
        let dir = try TempDir(prefix: "unidesk-repl-reload")
        defer { dir.remove() }
        try dir.write("greeter.lua", "local M = {}\nfunction M.hello() return 'v1' end\nreturn M\n")
        let t = try ReplTerminal.start(arguments: ["repl", "--dir", dir.url.path])
        defer { t.close() }
        try t.waitForPrompt()
        try enter(t, "g = require 'greeter'")
        #expect(try enter(t, "=g.hello()").hasSuffix("\"v1\"\n> "))
        try dir.write("greeter.lua", "local M = {}\nfunction M.hello() return 'v2' end\nreturn M\n")
        #expect(try enter(t, ":reload").contains("reloaded greeter"))
        #expect(try enter(t, "=g.hello()").hasSuffix("\"v2\"\n> "), "the global now holds the new module")
        try dir.write("greeter.lua", "local M = {\nreturn M\n")
        #expect(try enter(t, ":reload").contains("error: greeter did not reload, the old one stays"))
        #expect(try enter(t, "=g.hello()").hasSuffix("\"v2\"\n> "))
        #expect(try enter(t, "=require('greeter').hello()").hasSuffix("\"v2\"\n> "))
    }

    @Test("the first top-level local gets a note, once")
    func localNote() throws {
        let t = try ReplTerminal.start()
        defer { t.close() }
        try t.waitForPrompt()
        #expect(try enter(t, "local y = 5").contains("note: a local lasts for one input"))
        #expect(try enter(t, "=y").hasSuffix("nil\n> "))
        #expect(!(try enter(t, "local z = 1").contains("note:")))
    }
}

/// Without libedit (not installed, or unloadable) the REPL still works on a terminal: it says
/// so, and shows its prompts.
@Suite("REPL on a terminal without libedit")
struct ReplWithoutLineEditingTests {
    @Test("libedit hidden from the process: a note, then plain lines with prompts")
    func plainLinesWithPrompts() throws {
        let libedit = "/usr/lib/x86_64-linux-gnu/libedit.so.2"
        try #require(FileManager.default.fileExists(atPath: libedit), "libedit2 is installed here (scripts/install-deps)")
        let unidesk = try Unidesk.binary().path
        // A mount namespace of its own, where libedit's file is empty: dlopen fails as it
        // would on a machine without the package.
        let t = try ReplTerminal.start(
            arguments: ["--mount", "--propagation", "private", "sh", "-c", "mount --bind /dev/null \(libedit) && exec \"$0\" repl", unidesk],
            executable: URL(fileURLWithPath: "/usr/bin/unshare"))
        defer { t.close() }
        let banner = try t.waitFor("> ")
        #expect(banner.contains("no line editing or history:") && banner.contains("libedit"), "\(banner)")
        t.send("=6 * 7\r")
        try t.waitFor("42\n> ")
        t.send(key: .ctrlD)
        #expect(try t.wait() == 0)
    }
}
