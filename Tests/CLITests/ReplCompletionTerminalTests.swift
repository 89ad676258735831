import Foundation
import Testing

/// TAB in `unidesk repl` on a real terminal: what the line reads after it.
@Suite("repl TAB completion on a terminal")
struct ReplCompletionTerminalTests {
    /// Types `text` and TAB at a fresh prompt; waits until the cursor's line reads `expected`.
    private func tab(_ t: ReplTerminal, _ text: String, expect expected: String) throws {
        t.send(key: .ctrlU)
        try t.waitForCursorLine("> ")
        t.send(text)
        try t.waitForCursorLine("> " + text)
        t.send(key: .tab)
        try t.waitForCursorLine("> " + expected)
    }

    @Test("a global, a module field, a field of a global holding a module, a :command, a capability")
    func completes() throws {
        let t = try ReplTerminal.start()
        defer { t.close() }
        try t.waitForPrompt()
        try tab(t, "pri", expect: "print")
        try tab(t, "un", expect: "unidesk")
        try tab(t, "unidesk.en", expect: "unidesk.env")
        try tab(t, "string.fo", expect: "string.format")
        try tab(t, "require(\"unidesk.kube\").ap", expect: "require(\"unidesk.kube\").apply")
        // libedit counts characters, not bytes: a word after non-ASCII text is found right.
        try tab(t, "s = \"é\" .. pri", expect: "s = \"é\" .. print")
        try tab(t, ":modu", expect: ":modules")
        try tab(t, ":he", expect: ":help")
        try tab(t, ":allow pg.ex", expect: ":allow pg.exec")
        t.send(key: .ctrlU)
        t.send("kube = require \"unidesk.kube\"\r")
        try t.waitForPrompt("kube = require \"unidesk.kube\"\n> ")
        try tab(t, "kube.ap", expect: "kube.apply")
        t.send(key: .ctrlU)
        t.send(key: .ctrlD)
        #expect(try t.wait() == 0)
    }

    @Test("methods after ':' of a pg connection (offline plan mode), listed on a second TAB")
    func methods() throws {
        let t = try ReplTerminal.start()
        defer { t.close() }
        try t.waitForPrompt()
        t.send(":mode plan-offline\r")
        try t.waitForPrompt("plan-offline mode (globals cleared)\n> ")
        t.send("conn = require(\"unidesk.pg\").connect(\"postgres://u@h/db\")\r")
        try t.waitForPrompt("(unknown)\n> ")
        try tab(t, "conn:ex", expect: "conn:exec")
        // Several candidates: the first TAB inserts what they share, the second lists them.
        try tab(t, "conn:", expect: "conn:")
        t.send(key: .tab)
        try t.waitUntil("the methods listed") { $0.screenText.contains("conn:query") && $0.screenText.contains("conn:tx") }
        #expect(!t.screenText.contains("__tostring"))
        try t.waitForCursorLine("> conn:")
    }

    @Test("TAB on an empty line indents instead of completing; in a string it is a tab")
    func noCompletion() throws {
        let t = try ReplTerminal.start()
        defer { t.close() }
        try t.waitForPrompt()
        t.send(key: .tab)
        t.send("1+1\r")
        // The line ran as typed: a tab then 1+1, no global was inserted or listed.
        try t.waitForPrompt("2\n> ")
        #expect(!t.screenText.contains("print"))
        t.send("#\"a")
        t.send(key: .tab)
        t.send("b\"\r")
        try t.waitForPrompt("3\n> ")   // #"a<tab>b": the tab is in the string
    }
}
