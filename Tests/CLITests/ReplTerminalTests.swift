import Foundation
import Testing

/// The pseudo-terminal harness itself, on `unidesk repl`: what every terminal test relies on.
@Suite("ReplTerminal: unidesk repl on a pseudo-terminal")
struct ReplTerminalTests {
    @Test("the banner and the prompt appear, 1+1 prints 2, Ctrl-D on an empty line exits 0")
    func bannerEvaluateAndExit() throws {
        let t = try ReplTerminal.start()
        defer { t.close() }
        let banner = try t.waitForPrompt()
        #expect(banner.hasPrefix("unidesk "), "\(banner)")
        #expect(banner.contains("Ctrl-D to exit"), "\(banner)")
        #expect(!banner.contains("no line editing"), "libedit did not load: \(banner)")
        t.send("1+1")
        t.send(key: .enter)
        #expect(try t.waitForPrompt() == "1+1\n2\n> ")
        t.send(key: .ctrlD)
        #expect(try t.wait() == 0)
    }

    @Test("the screen follows libedit's redraws: Ctrl-A then typing inserts at the start")
    func screenFollowsEdits() throws {
        let t = try ReplTerminal.start()
        defer { t.close() }
        try t.waitForPrompt()
        t.send("23")
        t.send(key: .ctrlA)
        t.send("1")
        try t.waitForCursorLine("> 123")
        t.send(key: .enter)
        try t.waitForPrompt("123\n> ")
        #expect(t.screen.lines.count >= 3)
    }

    @Test("Ctrl-C reaches the session as SIGINT: a running loop stops, the session goes on")
    func ctrlCInterrupts() throws {
        let t = try ReplTerminal.start()
        defer { t.close() }
        try t.waitForPrompt()
        t.send("print('spinning') while true do end")
        t.send(key: .enter)
        try t.waitFor("spinning\n")
        t.send(key: .ctrlC)
        try t.waitForPrompt("limit: interrupted\n> ")
        t.send("2*21\r")
        try t.waitForPrompt("42\n> ")
        t.send(key: .ctrlD)
        #expect(try t.wait() == 0)
    }

    @Test("a wait that is not met fails with the transcript")
    func timeoutCarriesTheTranscript() throws {
        let t = try ReplTerminal.start()
        defer { t.close() }
        try t.waitFor("> ")
        do {
            try t.waitFor("never printed", timeout: 0.2)
            Issue.record("waitFor returned for output that never came")
        } catch let e as ReplTerminal.Timeout {
            #expect(e.description.contains("never printed"))
            #expect(e.description.contains("Ctrl-D to exit"))
        }
    }

    @Test("the screen model: carriage return, backspace, cursor moves, erase, wrapping")
    func screenModel() {
        var s = TerminalScreen(columns: 10, rows: 5)
        s.feed("abc\r> xabc\u{08}\u{08}\u{08}abc\r\u{1B}[6G\u{1B}[K")
        #expect(s.cursorLine == "> xab")
        s.feed("\r\n0123456789AB")
        #expect(s.text == "> xab\n0123456789\nAB")
        s.feed("\u{1B}[A\u{1B}[3G\u{1B}[2P")
        #expect(s.text == "> xab\n01456789\nAB")
        #expect(ReplTerminal.plain("a\u{1B}[1;31mb\u{1B}[0m\r\nc\r\u{08}") == "ab\nc")
    }
}
