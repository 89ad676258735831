import ArgumentParser
import Foundation
import UnideskCore
import UnideskREPL

struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl", abstract: "Interactive Lua session in the recipe sandbox.",
        discussion: """
        The same sandbox and policy as `run`, one session for the whole REPL. Expressions print \
        their value; unfinished statements continue on the next line. Each input is limited by \
        --timeout and --max-memory; Ctrl-C interrupts it. Commands: :help, :modules, :mode, \
        :reset, :quit. History: $XDG_STATE_HOME/unidesk/repl_history (lines with secret( are \
        never saved). When stdin is not a terminal, lines are read from it without prompts.
        """)

    @Option(help: ArgumentHelp("The directory require and unidesk.fs can read (default: the current directory).", valueName: "dir"))
    var dir: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        let options = try common.engineOptions(mode: .run)
        if options.reportPath != nil || options.junitPath != nil {
            Console.writeFD(2, "warning: --report and --junit are ignored by repl\n")
        }
        let interactive = isatty(0) == 1
        if interactive { ReplLocale.ensureUTF8() }
        let repl: Repl
        do {
            repl = try Repl(options: options, directory: dir ?? ".", interactive: interactive)
        } catch {
            switch error {
            case .usage(let m):
                Console.writeFD(2, "error: \(m)\n")
                throw CommandExit(code: ExitCode.usage.rawValue)
            case .internalError(let m):
                Console.writeFD(2, "error: \(m)\n")
                throw CommandExit(code: ExitCode.internalError.rawValue)
            }
        }
        let code = repl.run()
        if code != 0 { throw CommandExit(code: code) }
    }
}
