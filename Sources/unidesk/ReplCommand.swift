import ArgumentParser

struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "repl", abstract: "Interactive Lua session in the recipe sandbox.")
    func run() throws { throw CommandExit(code: 2) }
}
