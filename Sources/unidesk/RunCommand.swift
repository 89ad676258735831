import ArgumentParser
import UnideskBindings
import UnideskCore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a recipe.",
        discussion: "Performs every effect the policy allows. Writes need a grant (--allow, --policy).\n\n" + ExitCode.helpText)

    @Argument(help: "The recipe (a Lua file). Its directory is what unidesk.fs and require can read.")
    var recipe: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        let engine = Engine(options: try common.engineOptions(mode: .run), libraries: Libraries.all)
        let report = engine.run(recipePath: recipe)
        throw CommandExit(code: report.exitCode.rawValue)
    }
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Dry-run a recipe: perform reads, record writes as planned effects.",
        discussion: "Runs the same recipe with every write replaced by a record of the intended effect (a primitive may check it with its own dry run, e.g. Kubernetes dryRun=All). Nothing is changed. The plan is printed, each write with its verdict (create, change, unchanged, replace, delete, unverified), and written to --report under effects.planned.\n\n" + ExitCode.helpText)

    @Argument(help: "The recipe (a Lua file).")
    var recipe: String

    @Flag(help: "Do not perform network reads either: each returns {planned = true, unknown = true} and the plan lists it as unknown.")
    var offline = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        let engine = Engine(options: try common.engineOptions(mode: .plan(offline: offline)), libraries: Libraries.all)
        let report = engine.run(recipePath: recipe)
        throw CommandExit(code: report.exitCode.rawValue)
    }
}
