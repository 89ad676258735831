import ArgumentParser
import UnideskCore

struct Unidesk: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unidesk",
        abstract: "Run deployment recipes written in Lua against vetted, policy-gated, audited primitives.",
        discussion: """
        A recipe is a Lua 5.4 script in a sandbox. It reaches the world only through unidesk's primitives (require "unidesk.fs", "unidesk.json", …), and every primitive call passes one gate: policy check → plan or perform → audit record. Reads are allowed by default; writes need a grant (--allow or --policy). `unidesk plan` runs the same recipe and performs no write; `unidesk plan --out plan.json` saves the plan for review (`unidesk show plan.json`), and `unidesk apply plan.json` performs exactly it, stopping with exit 6 where reality changed since.

        \(ExitCode.helpText)
        """,
        version: VersionCommand.line,
        subcommands: [RunCommand.self, PlanCommand.self, ApplyCommand.self, ShowCommand.self, TestCommand.self, CheckCommand.self, ReplCommand.self,
                      DocCommand.self, CompletionCommand.self, VersionCommand.self]
    )
}

/// Thrown by a subcommand to end the process with a documented exit code.
struct CommandExit: Error {
    let code: Int32
}

/// `unidesk version` and `unidesk --version` print this same line.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the unidesk version (as --version does).")
    static let line = "unidesk \(UnideskVersion.string) (Lua 5.4)"
    func run() {
        print(Self.line)
    }
}

struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion", abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
        bash:  source <(unidesk completion bash)          (or save it in /etc/bash_completion.d/unidesk)
        zsh:   unidesk completion zsh > "${fpath[1]}/_unidesk"
        fish:  unidesk completion fish > ~/.config/fish/completions/unidesk.fish
        """)

    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish
    }

    @Argument(help: "bash, zsh or fish.")
    var shell: Shell

    func run() {
        let completion: CompletionShell = switch shell {
        case .bash: .bash
        case .zsh: .zsh
        case .fish: .fish
        }
        print(Unidesk.completionScript(for: completion))
    }
}
