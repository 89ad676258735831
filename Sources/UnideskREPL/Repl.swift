import Foundation
import LuaRuntime
import UnideskBindings
import UnideskCore

/// The interactive session behind `unidesk repl`: one sandboxed `Session` for its lifetime
/// (the same sandbox and policy as `run`), read–eval–print with per-input limits.
public final class Repl {
    static let chunkName = "=repl"

    private var options: EngineOptions
    private let directory: String
    private let redactor = Redactor()
    private let console: Console
    private var session: Session
    private let interactive: Bool
    private let interrupts: ReplInterrupts
    private var reader: ReplLineReader!
    private var warnedDeadline = false
    private var more = ReplMore()

    public enum StartError: Error {
        case usage(String), internalError(String)
    }

    public init(options: EngineOptions, directory: String, interactive: Bool) throws(StartError) {
        self.options = options
        self.directory = directory
        self.interactive = interactive
        // Before the console: its spinner thread must start with SIGINT blocked.
        interrupts = ReplInterrupts(interactive: interactive)
        console = Console(color: options.color, redactor: redactor)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw .usage("--dir '\(directory)' is not a directory")
        }
        do {
            session = try Session(options: options, libraries: Libraries.all, console: console,
                                  redactor: redactor, recipeDirectory: directory)
        } catch {
            throw .internalError("cannot start the Lua sandbox: \(error)")
        }
    }

    private var lua: LuaState { session.lua }

    /// Runs until :quit, Ctrl-D or the end of input. Returns the exit code.
    public func run() -> Int32 {
        interrupts.install()
        if interactive {
            do {
                reader = try ReplEditReader(historyPath: ReplEditReader.defaultHistoryPath(), interrupts: interrupts)
            } catch {
                out("no line editing or history: \(error.reason)")
                reader = ReplPipeReader()
            }
            out("unidesk \(UnideskVersion.string) (Lua 5.4) in \(modeName(options.mode)) mode, sandbox '\(directory)' — Ctrl-D to exit, :help for commands")
        } else {
            reader = ReplPipeReader()
        }
        defer { shutdown() }

        var pending: [String] = []
        while true {
            switch reader.read(prompt: pending.isEmpty ? "> " : ">> ") {
            case .eof:
                if interactive {
                    Console.writeFD(1, "\n")
                } else if !pending.isEmpty, case .syntaxError(let e) = classify(pending.joined(separator: "\n"), final: true) {
                    printError(e)
                }
                return 0
            case .interrupted:
                Console.writeFD(1, "\n")
                remember(pending)   // a dropped chunk may still be worth recalling
                pending = []
            case .line(let line):
                if pending.isEmpty {
                    let trimmed = line.trimmingCharacters(in: .whitespaces)
                    if trimmed.isEmpty { continue }
                    if let command = ReplCommandLine.parse(trimmed) {
                        reader.remember(trimmed)
                        if !perform(command) { return 0 }
                        continue
                    }
                }
                pending.append(line)
                let chunk = classify(pending.joined(separator: "\n"), final: false)
                if case .incomplete = chunk { continue }
                remember(pending)
                let input = pending
                pending = []
                switch chunk {
                case .incomplete: break
                case .run(let code): evaluate(code, lines: input)
                case .syntaxError(let e): printError(e)
                }
            }
        }
    }

    /// Adds the lines of one input to the history, unless the input creates a secret
    /// (`secret(`, `secret "…"`, on any of its lines) or contains a known secret value.
    private func remember(_ lines: [String]) {
        for line in ReplHistory.entries(for: lines, redactor: redactor) { reader.remember(line) }
    }

    private func shutdown() {
        session.finish()
        // Finalizers run at close: bound them.
        _ = lua.startDeadline(seconds: 1.0, hardGrace: options.hardStopGrace,
                              hardStopMessage: "unidesk: finalizers did not finish when the repl closed; stopped hard\n",
                              hardStopExitCode: 0)
        lua.close()
        console.stop()
    }

    // MARK: input

    func classify(_ code: String, final: Bool) -> ReplChunk {
        ReplChunk.classify(code, final: final, compiler: lua, chunkName: Self.chunkName)
    }

    // MARK: evaluation

    /// Runs one chunk under the per-input deadline, with Ctrl-C armed, and prints the
    /// results, the error or the limit that fired. The session stays usable in every case.
    private func evaluate(_ code: String, lines: [String]) {
        let armed = lua.startDeadline(
            seconds: options.timeout, hardGrace: options.hardStopGrace,
            hardStopMessage: "unidesk: limit: deadline of \(Self.seconds(options.timeout)) exceeded (--timeout) while the input was stuck inside a C function; stopped hard\n",
            hardStopExitCode: ExitCode.limit.rawValue)
        if !armed && !warnedDeadline {
            warnedDeadline = true
            err("warning: could not arm the deadline timer; --timeout is not enforced")
        }
        interrupts.begin(lua)
        var values = LuaGraph()
        var failure: LuaError?
        do {
            // Read keeping tables' identity, to show cycles and shared tables.
            values = try lua.runForDisplay(code, chunkName: Self.chunkName)
        } catch {
            failure = error
        }
        interrupts.end()
        let tripped = lua.tripped
        lua.stopDeadline()
        // Also clears an interrupt that arrived after the chunk finished.
        lua.resetLimits()

        if tripped == .memory { collectGarbage() }
        if let failure {
            if let tripped {
                // After Ctrl-C the terminal shows "^C" where the cursor was.
                err((interactive && tripped == .interrupt ? "\n" : "") + limitMessage(tripped))
            } else {
                printError(failure, input: lines)
            }
            return
        }
        if !values.roots.isEmpty { out(more.present(values)) }
    }

    /// After the memory cap fired, what the failed input allocated is garbage, but no
    /// collection has run yet: the next input's first allocation would hit the cap again.
    /// The sandbox offers no collectgarbage("collect"); an allocation larger than the cap
    /// (plus the reserve the allocator grants after a trip) makes Lua run its emergency
    /// full collection, and then fails.
    private func collectGarbage() {
        let limit = lua.memoryLimit
        guard limit > 0 else { return }
        _ = try? lua.run("local n = ...; local _ = string.rep('x', n)", chunkName: "=(repl gc)",
                         args: [.int(Int64(limit) + 4 << 20)])
        lua.resetLimits()
    }

    private func limitMessage(_ limit: LuaLimit) -> String {
        switch limit {
        case .deadline: return "limit: deadline of \(Self.seconds(options.timeout)) exceeded (--timeout)"
        case .memory: return "limit: memory cap of \(options.maxMemoryMB) MiB exceeded (--max-memory); if it persists, :reset starts a fresh session"
        case .interrupt: return "limit: interrupted"
        }
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() && s < 1e15 ? "\(Int(s))s" : String(format: "%.3gs", s)
    }

    /// `input`: the lines of the input that failed, to quote the one that did (ReplErrorText).
    private func printError(_ e: LuaError, input: [String] = []) {
        let (message, details) = ReplErrorText.render(e, input: input)
        err(([console.paintIfFancy("error:", 31) + " " + message] + details.map { "  " + $0 }).joined(separator: "\n"))
    }

    // MARK: output (always through the redactor)

    private func out(_ text: String) { Console.writeFD(1, redactor.scrub(text) + "\n") }
    private func err(_ text: String) { Console.writeFD(2, redactor.scrub(text) + "\n") }

    // MARK: commands

    /// Carries out a `:command`. Returns false to end the session.
    private func perform(_ command: ReplCommandLine) -> Bool {
        switch command {
        case .help:
            out(Self.help(timeout: Self.seconds(options.timeout), memory: options.maxMemoryMB))
        case .quit:
            return false
        case .modules:
            listModules()
        case .mode(let word):
            switchMode(word)
        case .more:
            out(more.more())
        case .reset:
            restart(with: options, note: "fresh session in \(modeName(options.mode)) mode (globals cleared)")
        case .unknown(let name):
            err("unknown command :\(name) (try :help)")
        }
        return true
    }

    static func help(timeout: String, memory: Int) -> String {
        """
        Type Lua statements or expressions; an expression prints its value. An unfinished
        statement continues on the next line (prompt >>).
          :help                          this text
          :modules                       the unidesk.* modules that require can load
          :mode [run|plan|plan-offline]  show the mode, or start a fresh session in another one
          :more                          the last value shown shortened, in full
          :reset                         start a fresh session (clears globals)
          :quit                          leave (or Ctrl-D on an empty line)
        Ctrl-C clears the line, or interrupts a running input. Each input may run for
        --timeout (\(timeout)) and use --max-memory (\(memory == 0 ? "no cap" : "\(memory) MiB")).
        A table inside itself shows as <cycle N> where the table marked <N> appears again.
        """
    }

    private func modeName(_ mode: RunMode) -> String { ReplCommandLine.name(of: mode) }

    private func switchMode(_ word: String?) {
        guard let word else {
            out("mode: \(modeName(options.mode))")
            return
        }
        guard let mode = ReplCommandLine.mode(named: word) else {
            err("unknown mode '\(word)' (run, plan or plan-offline)")
            return
        }
        var o = options
        o.mode = mode
        restart(with: o, note: "fresh session in \(modeName(mode)) mode (globals cleared)")
    }

    private func restart(with newOptions: EngineOptions, note: String) {
        let fresh: Session
        do {
            fresh = try Session(options: newOptions, libraries: Libraries.all, console: console,
                                redactor: redactor, recipeDirectory: directory)
        } catch {
            err("error: cannot start a new session: \(error)")
            return
        }
        let old = session
        old.finish()
        session = fresh
        options = newOptions
        _ = old.lua.startDeadline(seconds: 1.0, hardGrace: options.hardStopGrace,
                                  hardStopMessage: "unidesk: finalizers of the previous session did not finish; stopped hard\n",
                                  hardStopExitCode: ExitCode.limit.rawValue)
        old.lua.close()
        out(note)
    }

    /// The unidesk.* modules require can load: host libraries, and the stdlib modules the
    /// loader names when asked for one that does not exist.
    private func listModules() {
        let candidates = Set(Libraries.all.map { "unidesk." + $0.name })
        let probe = """
        local ok, e = pcall(require, "unidesk._")
        local list = type(e) == "string" and e:match("unidesk modules: ([^)]*)") or ""
        local names, loadable = {}, {}
        for name in list:gmatch("[%w_%.%-]+") do names[#names + 1] = name end
        for _, name in ipairs({ ... }) do names[#names + 1] = name end
        local seen = {}
        for _, name in ipairs(names) do
          if not seen[name] and pcall(require, name) then loadable[#loadable + 1] = name end
          seen[name] = true
        end
        table.sort(loadable)
        return loadable
        """
        _ = lua.startDeadline(seconds: min(options.timeout, 10), hardGrace: options.hardStopGrace,
                              hardStopMessage: "unidesk: :modules got stuck; stopped hard\n",
                              hardStopExitCode: ExitCode.limit.rawValue)
        interrupts.begin(lua)
        let result = try? lua.run(probe, chunkName: "=(repl :modules)", args: candidates.sorted().map { .string($0) })
        interrupts.end()
        lua.stopDeadline()
        lua.resetLimits()
        guard let list = result?.first?.tableValue?.array.compactMap(\.stringValue), !list.isEmpty else {
            err("error: could not list the modules")
            return
        }
        let width = list.map(\.count).max() ?? 0
        for name in list {
            let short = String(name.dropFirst("unidesk.".count))
            if let lib = Libraries.all.first(where: { $0.name == short }), !lib.summary.isEmpty {
                out(name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + lib.summary)
            } else {
                out(name)
            }
        }
    }
}
