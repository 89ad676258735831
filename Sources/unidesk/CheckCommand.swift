import ArgumentParser

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Compile recipes without running them.")
    @Argument var files: [String]
    func run() throws { throw CommandExit(code: 2) }
}

struct DocCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "doc", abstract: "Generate the primitive reference and LuaLS stubs.")
    func run() throws { throw CommandExit(code: 2) }
}
