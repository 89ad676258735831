import Testing
import UnideskCore
import UnideskREPL

/// `:commands`, parsed without a session.
@Suite struct ReplCommandLineTests {
    @Test("each command and its aliases")
    func commands() {
        #expect(ReplCommandLine.parse(":help") == .help)
        #expect(ReplCommandLine.parse(":h") == .help)
        #expect(ReplCommandLine.parse(":?") == .help)
        #expect(ReplCommandLine.parse(":quit") == .quit)
        #expect(ReplCommandLine.parse(":q") == .quit)
        #expect(ReplCommandLine.parse(":exit") == .quit)
        #expect(ReplCommandLine.parse(":modules") == .modules)
        #expect(ReplCommandLine.parse(":reset") == .reset)
    }

    @Test(":mode alone shows the mode; with a word it names the new one")
    func mode() {
        #expect(ReplCommandLine.parse(":mode") == .mode(nil))
        #expect(ReplCommandLine.parse(":mode  plan-offline") == .mode("plan-offline"))
        #expect(ReplCommandLine.mode(named: "run") == .run)
        #expect(ReplCommandLine.mode(named: "plan") == .plan(offline: false))
        #expect(ReplCommandLine.mode(named: "offline") == .plan(offline: true))
        #expect(ReplCommandLine.mode(named: "apply") == nil)
        for mode in [RunMode.run, .plan(offline: false), .plan(offline: true)] {
            #expect(ReplCommandLine.mode(named: ReplCommandLine.name(of: mode)) == mode)
        }
    }

    @Test("an unknown command is named; Lua that starts with a colon is not a command")
    func notCommands() {
        #expect(ReplCommandLine.parse(":frobnicate now") == .unknown("frobnicate"))
        #expect(ReplCommandLine.parse("::label::") == nil)
        #expect(ReplCommandLine.parse(":") == nil)
        #expect(ReplCommandLine.parse("x:help()") == nil)
        #expect(ReplCommandLine.parse("help") == nil)
    }
}
