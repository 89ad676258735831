import ArgumentParser
import UnideskCore

struct Unidesk: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unidesk",
        abstract: "Run deployment recipes written in Lua against vetted, policy-gated, audited primitives.",
        discussion: """
        A recipe is a Lua 5.4 script in a sandbox. It reaches the world only through unidesk's primitives (require "unidesk.fs", "unidesk.json", …), and every primitive call passes one gate: policy check → plan or perform → audit record. Reads are allowed by default; writes need a grant (--allow or --policy). `unidesk plan` runs the same recipe and performs no write.

        \(ExitCode.helpText)
        """,
        version: UnideskVersion.string,
        subcommands: [RunCommand.self, PlanCommand.self, TestCommand.self, CheckCommand.self, ReplCommand.self,
                      DocCommand.self, VersionCommand.self]
    )
}

/// Thrown by a subcommand to end the process with a documented exit code.
struct CommandExit: Error {
    let code: Int32
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the unidesk version.")
    func run() {
        print("unidesk \(UnideskVersion.string) (Lua 5.4)")
    }
}
