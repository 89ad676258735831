import ArgumentParser
import Foundation
import UnideskCore
import UnideskREPL

struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl", abstract: "Interactive Lua session in the recipe sandbox.",
        usage: "unidesk repl [--dir <dir>] [--allow <cap> ...] [<options>]",
        discussion: """
        The same sandbox and policy as `run`, one session for the whole REPL. Expressions print \
        their value (=expr too); unfinished statements continue on the next line. TAB completes \
        names, fields, methods and :commands; ?NAME or help(value) shows a primitive's reference. \
        Each input is limited by --timeout and --max-memory; Ctrl-C interrupts it. Commands: \
        :help, :modules, :grants, :allow, :load, :reload, :mode, :plan, :run, :reset, :quit. \
        History: $XDG_STATE_HOME/unidesk/repl_history, one entry per input (inputs with secret( \
        are never saved). When stdin is not a terminal, lines are read from it without prompts, \
        and the exit code is that of the first input that failed (1 error, 2 syntax or usage, \
        3 denied, 4 limit), 0 when none did.
        """)

    @Option(help: ArgumentHelp("The directory require and unidesk.fs can read (default: the current directory).", valueName: "dir"))
    var dir: String?

    @OptionGroup var options: ReplOptions

    func run() throws {
        let options = try self.options.flags.engineOptions(mode: .run)
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
