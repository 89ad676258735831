import ArgumentParser
import Foundation
import UnideskCore

// ArgumentParser exits 64 on usage errors; unidesk documents 2. Parse here, map the codes.
let arguments = CommonOptions.joiningNegativeValues(Array(CommandLine.arguments.dropFirst()))
let command: FastCommandLine.Command
if let fast = FastCommandLine.parse(arguments, knob: ProcessEnvironment.value("UNIDESK_ARGUMENT_PARSER")) {
    command = fast
} else {
    do {
        var parsed = try Unidesk.parseAsRoot(arguments)
        command = FastCommandLine.Command(type: type(of: parsed)) { try parsed.run() }
    } catch {
        fail(Unidesk.fullMessage(for: error), error: error)
    }
}
do {
    try command.run()
} catch let exit as CommandExit {
    exit_(exit.code)
} catch let error as ValidationError {
    // Raised by run() (a policy file, --var, --state-db): the usage shown is the
    // subcommand's, as for errors found while parsing.
    let name = command.type._commandName
    Console.writeFD(2, "Error: \(error.message)\nUsage: \(Unidesk.usageString(for: command.type))\n  See 'unidesk \(name) --help' for more information.\n")
    exit_(ExitCode.usage.rawValue)
} catch {
    fail(Unidesk.fullMessage(for: error), error: error)
}

func fail(_ message: String, error: Error) -> Never {
    if Unidesk.exitCode(for: error) == .success {
        print(message)
        exit(0)
    }
    Console.writeFD(2, message + "\n")
    exit_(ExitCode.usage.rawValue)
}

func exit_(_ code: Int32) -> Never { exit(code) }
