import ArgumentParser
import Foundation
import UnideskCore

// ArgumentParser exits 64 on usage errors; unidesk documents 2. Parse here, map the codes.
do {
    var command = try Unidesk.parseAsRoot()
    try command.run()
} catch {
    let code = Unidesk.exitCode(for: error)
    if code == .success {
        print(Unidesk.fullMessage(for: error))
        exit(0)
    }
    if let exit = error as? CommandExit { exit_(exit.code) }
    Console.writeFD(2, Unidesk.fullMessage(for: error) + "\n")
    exit_(ExitCode.usage.rawValue)
}

func exit_(_ code: Int32) -> Never { exit(code) }
