import ArgumentParser
import Foundation
import UnideskBindings
import UnideskCore

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check recipes without running them: syntax, requires, globals.",
        discussion: """
        Compiles each recipe and every recipe module it requires (followed through the recipe's directory), and reports:
          errors:   syntax errors, require()s that cannot resolve (unknown unidesk.* modules, missing files in the recipe's directory)
          warnings: globals the sandbox does not define (`io.write` → "undefined global 'io'"), fields its libraries lack (`string.dump`), and unknown globals set inside a function — as luacheck reports them
        A global the file assigns at its top level is its own. A directory stands for every recipe.lua and *_test.lua below it.

        Exit codes:
          0  every file is fine
          1  warnings only (undefined globals)
          2  a syntax error, a require that cannot resolve, or a file that cannot be read
        """)

    @Argument(help: "Lua files, or directories (every recipe.lua and *_test.lua below them).")
    var paths: [String]

    func run() throws { try Self.perform(paths: paths) }

    static func perform(paths: [String]) throws {
        var files: [String] = []
        var errors = 0
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                let found = Checker.files(under: path)
                if found.isEmpty {
                    Console.writeFD(2, "\(path): no recipe.lua or *_test.lua below this directory\n")
                    errors += 1
                }
                files += found
            } else {
                files.append(path)
            }
        }
        let checker = try Checker(libraries: Libraries.all)
        var warnings = 0
        for file in files {
            let problems = checker.check(path: file)
            if problems.isEmpty { print("\(file): ok") }
            for p in problems {
                Console.writeFD(2, p.text + "\n")
                if p.severity == .error { errors += 1 } else { warnings += 1 }
            }
        }
        if errors + warnings > 0 {
            print("\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s") in \(files.count) file\(files.count == 1 ? "" : "s")")
        }
        throw CommandExit(code: errors > 0 ? 2 : warnings > 0 ? 1 : 0)
    }
}
