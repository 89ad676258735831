import ArgumentParser
import UnideskCore

/// `unidesk run|plan RECIPE [options]`, `unidesk check PATH…` and `unidesk version`, the command lines CI starts
/// thousands of times, read without swift-argument-parser: its parse reflects over every
/// command's properties (Mirror, dynamic casts, property-wrapper metadata), which cost more
/// than the rest of an empty recipe's start-up (docs/benchmarks.md, cold start).
///
/// Only a command line that is well-formed in every respect is read here. Anything else — help,
/// an unknown, repeated or malformed option, a value starting with '-', `--`, a value
/// RunFlags.validate() refuses — returns nil, and ArgumentParser parses it as before, so
/// every message and exit code is its own. For comparing the two (CLITests'
/// FastCommandLineTests do): `UNIDESK_ARGUMENT_PARSER=1` always takes ArgumentParser's path,
/// `UNIDESK_ARGUMENT_PARSER=show` says on stderr which one read the command line.
enum FastCommandLine {
    /// What to run, and the command whose usage an error of the run's options shows.
    struct Command {
        let type: ParsableCommand.Type
        let run: () throws -> Void
    }

    /// `knob`: the value of UNIDESK_ARGUMENT_PARSER.
    static func parse(_ arguments: [String], knob: String?) -> Command? {
        if knob == "1" { return nil }
        let command = read(arguments)
        if knob == "show" {
            Console.writeFD(2, "unidesk: command line read by \(command == nil ? "ArgumentParser" : "the fast path")\n")
        }
        return command
    }

    private static func read(_ arguments: [String]) -> Command? {
        guard let verb = arguments.first else { return nil }
        let rest = Array(arguments.dropFirst())
        switch verb {
        case "run":
            guard let read = readRunOptions(rest, extra: []), read.positionals.count == 1 else { return nil }
            return Command(type: RunCommand.self) { try RunCommand.perform(recipe: read.positionals[0], flags: read.flags) }
        case "plan":
            guard let read = readRunOptions(rest, extra: ["--offline", "--out"]), read.positionals.count == 1 else { return nil }
            return Command(type: PlanCommand.self) {
                try PlanCommand.perform(recipe: read.positionals[0], offline: read.extra["--offline"] != nil,
                                        out: read.extra["--out"], flags: read.flags)
            }
        case "version":
            guard rest.isEmpty else { return nil }
            return Command(type: VersionCommand.self) { VersionCommand().run() }
        case "check":
            // Paths only; anything that looks like an option goes to ArgumentParser.
            guard !rest.isEmpty, !rest.contains(where: { $0.hasPrefix("-") }) else { return nil }
            return Command(type: CheckCommand.self) { try CheckCommand.perform(paths: rest) }
        default:
            return nil
        }
    }

    private struct RunOptions {
        var positionals: [String] = []
        var flags = RunFlags()
        var extra: [String: String] = [:]
    }

    /// Reads positionals and the flags of CommonOptions, plus the command's own `extra` names
    /// (`--offline` takes no value). nil when anything is not plainly right.
    private static func readRunOptions(_ arguments: [String], extra names: Set<String>) -> RunOptions? {
        var read = RunOptions()
        var seen: Set<String> = []
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            guard argument.hasPrefix("-") else {
                read.positionals.append(argument)
                continue
            }
            var name = argument
            var inlineValue: String?
            if let eq = argument.firstIndex(of: "=") {
                name = String(argument[..<eq])
                inlineValue = String(argument[argument.index(after: eq)...])
            }
            /// The option's value: after `=`, else the next argument unless it looks like an option.
            func value() -> String? {
                if let inlineValue { return inlineValue }
                guard i < arguments.count, !arguments[i].hasPrefix("-") else { return nil }
                i += 1
                return arguments[i - 1]
            }
            /// A flag without a value, or a single-valued option: allowed once.
            func once() -> Bool { seen.insert(name).inserted }
            var f = read.flags
            switch name {
            // Repeatable.
            case "--var": guard let v = value() else { return nil }; f.vars.append(v)
            case "--allow": guard let v = value() else { return nil }; f.allow.append(v)
            case "--deny": guard let v = value() else { return nil }; f.deny.append(v)
            case "--env": guard let v = value() else { return nil }; f.env.append(v)
            case "--secret-env": guard let v = value() else { return nil }; f.secretEnv.append(v)
            case "--alert-sink": guard let v = value() else { return nil }; f.alertSinks.append(v)
            // Flags.
            case "--no-color": guard inlineValue == nil, once() else { return nil }; f.noColor = true
            case "--offline" where names.contains(name):
                guard inlineValue == nil, once() else { return nil }
                read.extra[name] = ""
            // Single values.
            case "--timeout": guard once(), let v = value(), let d = Double(v) else { return nil }; f.timeout = d
            case "--stop-grace": guard once(), let v = value(), let d = Double(v) else { return nil }; f.stopGrace = d
            case "--max-memory": guard once(), let v = value(), let n = Int(v) else { return nil }; f.maxMemory = n
            case "--report": guard once(), let v = value() else { return nil }; f.report = v
            case "--junit": guard once(), let v = value() else { return nil }; f.junit = v
            case "--policy": guard once(), let v = value() else { return nil }; f.policy = v
            case "--metrics-push": guard once(), let v = value() else { return nil }; f.metricsPush = v
            case "--state-dir": guard once(), let v = value() else { return nil }; f.stateDir = v
            case "--state-db": guard once(), let v = value() else { return nil }; f.stateDb = v
            case _ where names.contains(name): guard once(), let v = value() else { return nil }; read.extra[name] = v
            default: return nil
            }
            read.flags = f
        }
        // What validate() would refuse is ArgumentParser's to report, with the usage.
        do { try read.flags.validate() } catch { return nil }
        return read
    }
}
