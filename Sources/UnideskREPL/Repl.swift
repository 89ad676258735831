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
    /// Piped input: the exit code of the first input that failed (ExitCode), returned at the end.
    private var firstFailure: Int32?
    /// Whether the note on top-level `local` was shown (once per REPL).
    private var explainedLocal = false
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
            try installHelp(in: session)
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
                reader = try ReplEditReader(historyPath: ReplEditReader.defaultHistoryPath(), interrupts: interrupts,
                                            completer: .live(redactor: redactor) { [unowned self] in self.lua })
            } catch {
                out("no line editing or history: \(error.reason)")
                reader = ReplPipeReader(showsPrompt: true)
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
                if interactive && !pending.isEmpty {
                    // Ctrl-D on a continuation line drops that chunk, as Ctrl-C does.
                    Console.writeFD(1, "\n")
                    remember(pending)
                    pending = []
                    continue
                }
                if interactive {
                    Console.writeFD(1, "\n")
                } else if !pending.isEmpty, case .syntaxError(let e) = classify(pending.joined(separator: "\n"), final: true) {
                    printError(e)
                    failed(.usage)
                }
                return interactive ? 0 : firstFailure ?? 0
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
                        if !perform(command) { return interactive ? 0 : firstFailure ?? 0 }
                        continue
                    }
                    if trimmed.hasPrefix("?") {
                        // `?kube.apply`, IPython's way of asking.
                        reader.remember(trimmed)
                        showReference(String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces))
                        continue
                    }
                }
                pending.append(line)
                let chunk = classify(pending.joined(separator: "\n"), final: false)
                if case .incomplete = chunk { continue }
                remember(pending)
                let lines = pending
                pending = []
                switch chunk {
                case .incomplete: break
                case .run(let code):
                    evaluate(code, lines: lines)
                    explainLocal(lines)
                case .syntaxError(let e):
                    printError(e)
                    failed(.usage)
                }
            }
        }
    }

    /// Records the first failure of a piped session: its exit code is the REPL's.
    private func failed(_ code: ExitCode) {
        if firstFailure == nil { firstFailure = code.rawValue }
    }

    /// After the first input that declares a top-level local: where it went. Each input is a
    /// chunk of its own, as in `lua -i`, so its locals end with it.
    private func explainLocal(_ lines: [String]) {
        guard !explainedLocal, let first = lines.first?.drop(while: \.isWhitespace),
              first.hasPrefix("local ") || first.hasPrefix("local\t") else { return }
        explainedLocal = true
        err("note: a local lasts for one input (each input is its own chunk, as in lua -i); assign a global (x = …) to keep a value")
    }

    /// Adds one input to the history as one entry, unless the input creates a secret
    /// (`secret(`, `secret "…"`, on any of its lines) or contains a known secret value.
    private func remember(_ lines: [String]) {
        if let entry = ReplHistory.entry(for: lines, redactor: redactor) { reader.remember(entry) }
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
        evaluate(lines: lines) { lua throws(LuaError) in try lua.runForDisplay(code, chunkName: Self.chunkName) }
    }

    /// A recipe file's bytes (`:load`), named by its path in errors and tracebacks.
    private func evaluate(bytes: [UInt8], chunkName: String) {
        evaluate(lines: []) { lua throws(LuaError) in try lua.runForDisplay(bytes: bytes, chunkName: chunkName) }
    }

    /// `run` reads the results keeping tables' identity, to show cycles and shared tables.
    private func evaluate(lines: [String], _ run: (LuaState) throws(LuaError) -> LuaGraph) {
        let armed = lua.startDeadline(
            seconds: options.timeout, hardGrace: options.hardStopGrace,
            hardStopMessage: "unidesk: limit: deadline of \(Self.seconds(options.timeout)) exceeded (--timeout) while the input was stuck inside a C function; stopped hard\n",
            hardStopExitCode: ExitCode.limit.rawValue)
        if !armed && !warnedDeadline {
            warnedDeadline = true
            err("warning: could not arm the deadline timer; --timeout is not enforced")
        }
        interrupts.begin(lua)
        let denialsBefore = session.deniedCalls
        var values = LuaGraph()
        var failure: LuaError?
        do {
            values = try run(lua)
        } catch {
            failure = error
        }
        interrupts.end()
        let tripped = lua.tripped
        lua.stopDeadline()
        // Also clears an interrupt that arrived after the chunk finished.
        lua.resetLimits()

        if tripped == .memory { collectGarbage() }
        // The exit code a run would have: a denial counts even when the input caught it.
        let denied = session.deniedCalls > denialsBefore
        if failure != nil || denied { failed(tripped != nil ? .limit : denied ? .denied : .recipeFailed) }
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
        case .help(nil):
            out(Self.help(timeout: Self.seconds(options.timeout), memory: options.maxMemoryMB))
        case .help(let name?):
            showReference(name)
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
        case .load(let path):
            load(path)
        case .reload:
            reloadModules()
        case .grants:
            out(Self.grants(session.policy, mode: options.mode))
        case .allow(let capability):
            allow(capability)
        case .unknown(let name):
            err("unknown command :\(name) (try :help)")
            failed(.usage)
        }
        return true
    }

    public static func help(timeout: String, memory: Int) -> String {
        let width = ReplCommandLine.summaries.map(\.usage.count).max() ?? 0
        let commands = ReplCommandLine.summaries.map {
            "  " + $0.usage.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.summary
        }
        return """
        Type Lua statements or expressions; an expression prints its value (=expr too). An
        unfinished statement continues on the next line (prompt >>). A local lasts for one
        input, as in lua -i: keep values in globals.
        \(commands.joined(separator: "\n"))
          ?NAME, help(value)             the reference of a primitive or module: ?kube.apply, help(pg)
        A table inside itself shows as <cycle N> where the table marked <N> appears again; a
        long list is summarised with its length (:more shows it all).
        Ctrl-C clears the line, or interrupts a running input; Ctrl-D on a continuation line
        drops the chunk. Each input may run for --timeout (\(timeout)) and use --max-memory
        (\(memory == 0 ? "no cap" : "\(memory) MiB")). Piped input exits with the code of the
        first input that failed (as `unidesk run` would: 1 error, 2 syntax, 3 denied, 4 limit).
        """
    }

    /// What `:grants` prints: the policy in force and the mode.
    static func grants(_ policy: Policy, mode: RunMode) -> String {
        func list(_ items: [String]) -> String { items.isEmpty ? "(none)" : items.joined(separator: ", ") }
        var lines = [
            "mode:        \(ReplCommandLine.name(of: mode))" + (mode.isPlan ? " (writes are planned, not performed)" : " (granted writes are performed)"),
            "allow:       \(list(policy.allow.map(\.description)))",
            "deny:        \(list(policy.deny.map(\.description)))",
            "env:         \(list(policy.env))",
            "secret env:  \(list(policy.secretEnv))",
        ]
        if !policy.sinkGrants.isEmpty { lines.append("alert sinks: \(list(policy.sinkGrants.map(\.description)))") }
        lines.append("Reads need no grant; a write needs an allow that matches it and no deny. :allow CAPABILITY adds one.")
        return lines.joined(separator: "\n")
    }

    private func allow(_ capability: String?) {
        guard let capability else {
            err("usage: :allow CAPABILITY, e.g. :allow 'kube.apply:dev/*' (the same patterns as --allow)")
            failed(.usage)
            return
        }
        do {
            let pattern = try session.allow(capability)
            options.policy.allow.append(pattern)   // kept by :mode and :reset's fresh sessions
            out("allowed \(pattern) for this session")
            if !ReplCapabilities.grantsAnyWrite(pattern) {
                err("warning: \(pattern.operation) names no primitive that writes (they are: \(ReplCapabilities.writeOperations.joined(separator: ", "))); reads need no grant")
            }
        } catch {
            err("error: \(error.message)")
            failed(.usage)
        }
    }

    /// `:help NAME` and `?NAME`: the reference, or what to try instead.
    private func showReference(_ name: String) {
        if name.isEmpty {
            out(Self.help(timeout: Self.seconds(options.timeout), memory: options.maxMemoryMB))
        } else if let text = ReplReference.text(for: name) {
            out(text.hasSuffix("\n") ? String(text.dropLast()) : text)
        } else {
            err(ReplReference.unknown(name))
        }
    }

    /// Defines `help` in a session (the host function behind it prints).
    private func installHelp(in session: Session) throws {
        let lookup = HostFunction("help") { [weak self] args in
            guard let self else { return [] }
            switch (args.first ?? .nil, args.count > 1 ? args[1] : .nil) {
            case (.nil, _):
                self.out(Self.help(timeout: Self.seconds(self.options.timeout), memory: self.options.maxMemoryMB))
            case (.string(let name), .string("object")):
                let methods = ReplReference.methods(of: name)
                self.out(methods.isEmpty ? "a \(name) object" : "a \(name) object; its methods: \(methods.joined(separator: ", ")) (help(x.\(methods[0])) or ?\(name):\(methods[0]))")
            case (.string(let name), _):
                self.showReference(name)
            case (_, .string(let type)):
                self.err("help: this \(type) is not a unidesk primitive or module; try help(\"kube.apply\") or :modules")
            default:
                self.err("help: nothing to show")
            }
            return []
        }
        let modules: [LuaValue] = Libraries.all.map { .string($0.name) }
        try session.lua.run(ReplReference.helpChunk, chunkName: "=(repl help)", args: [.function(lookup), .table(LuaTable(array: modules))])
    }

    /// `:load FILE`: runs a recipe in this session, as `unidesk run` would run it, keeping
    /// its globals. A relative path is from the current directory.
    private func load(_ path: String?) {
        guard let path else {
            err("usage: :load FILE (a recipe; relative to the current directory)")
            failed(.usage)
            return
        }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            err("error: \(path) \(why)")
            failed(.usage)
            return
        }
        let name = "@" + path
        if let e = lua.compileError(bytes: Array(bytes), chunkName: name) {
            printError(e)
            failed(.usage)
            return
        }
        evaluate(bytes: Array(bytes), chunkName: name)
    }

    /// `:reload`: the recipe's modules (require'd from --dir) loaded again; globals that held
    /// an old module now hold the new one.
    private func reloadModules() {
        let report: [LuaValue]
        do {
            report = try lua.callKept("reload_recipe_modules")
        } catch {
            printError(error)
            return
        }
        let modules = report.first?.tableValue?.array.compactMap(\.tableValue) ?? []
        if modules.isEmpty {
            out("no recipe modules loaded yet (require one from --dir first)")
            return
        }
        for m in modules {
            let name = m["name"].stringValue ?? "?"
            if let e = m["error"].stringValue {
                err("error: \(name) did not reload, the old one stays: \(e)")
                failed(.recipeFailed)
            } else {
                out("reloaded \(name)")
            }
        }
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
            try installHelp(in: fresh)
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
