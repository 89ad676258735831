import ArgumentParser
import Foundation
import UnideskBindings
import UnideskCore

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Compile recipes without running them.",
        discussion: "Reports syntax errors and require()s that cannot resolve (unknown unidesk.* modules, missing files in the recipe's directory). Exit 0 when every file is fine, 1 otherwise.")

    @Argument(help: "Lua files to check.")
    var files: [String]

    func run() throws {
        let checker = Checker(libraries: Libraries.all)
        var failed = 0
        for f in files {
            let problems = checker.check(path: f)
            if problems.isEmpty {
                print("\(f): ok")
            } else {
                failed += 1
                for p in problems { Console.writeFD(2, p + "\n") }
            }
        }
        throw CommandExit(code: failed == 0 ? 0 : 1)
    }
}
