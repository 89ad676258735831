import Testing
import UnideskCore
import UnideskREPL

/// `:commands`, parsed without a session.
@Suite struct ReplCommandLineTests {
    @Test("each command and its aliases")
    func commands() {
        #expect(ReplCommandLine.parse(":help") == .help(nil))
        #expect(ReplCommandLine.parse(":h") == .help(nil))
        #expect(ReplCommandLine.parse(":?") == .help(nil))
        #expect(ReplCommandLine.parse(":help kube.apply") == .help("kube.apply"))
        #expect(ReplCommandLine.parse(":quit") == .quit)
        #expect(ReplCommandLine.parse(":q") == .quit)
        #expect(ReplCommandLine.parse(":exit") == .quit)
        #expect(ReplCommandLine.parse(":modules") == .modules)
        #expect(ReplCommandLine.parse(":reset") == .reset)
        #expect(ReplCommandLine.parse(":plan") == .mode("plan"))
        #expect(ReplCommandLine.parse(":run") == .mode("run"))
        #expect(ReplCommandLine.parse(":grants") == .grants)
        #expect(ReplCommandLine.parse(":reload") == .reload)
        #expect(ReplCommandLine.parse(":load deploy.lua") == .load("deploy.lua"))
        #expect(ReplCommandLine.parse(":load") == .load(nil))
        #expect(ReplCommandLine.parse(":allow 'kube.apply:dev/*'") == .allow("kube.apply:dev/*"))
        #expect(ReplCommandLine.parse(":allow   fs.write  ") == .allow("fs.write"))
        #expect(ReplCommandLine.parse(":allow") == .allow(nil))
    }

    @Test(":help lists every command, and every listed name parses to a known command")
    func everyCommandIsListed() {
        for name in ReplCommandLine.names {
            #expect(ReplCommandLine.parse(":" + name).map { if case .unknown = $0 { return false }; return true } == true, "\(name)")
        }
        let help = Repl.help(timeout: "1800s", memory: 512)
        for entry in ReplCommandLine.summaries { #expect(help.contains(entry.usage), "\(entry.usage)") }
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
