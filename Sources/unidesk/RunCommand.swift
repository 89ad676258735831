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

    func run() throws { try Self.perform(recipe: recipe, flags: common.flags) }

    static func perform(recipe: String, flags: RunFlags) throws {
        let engine = Engine(options: try flags.engineOptions(mode: .run), libraries: Libraries.all)
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

    @Option(help: ArgumentHelp("Save the plan to FILE for review (`unidesk show FILE`) and for `unidesk apply FILE`, which performs exactly it and stops (exit 6) where reality changed since.", valueName: "file"))
    var out: String?

    @OptionGroup var common: CommonOptions

    func run() throws { try Self.perform(recipe: recipe, offline: offline, out: out, flags: common.flags) }

    static func perform(recipe: String, offline: Bool, out: String?, flags: RunFlags) throws {
        var options = try flags.engineOptions(mode: .plan(offline: offline))
        options.planOutPath = out
        let engine = Engine(options: options, libraries: Libraries.all)
        let report = engine.run(recipePath: recipe)
        throw CommandExit(code: report.exitCode.rawValue)
    }
}

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Perform a saved plan exactly, stopping where reality changed since it was made.",
        discussion: """
        Runs the plan's recipe (its path is in the plan; run from the same directory as the plan was made) in perform mode. Refused before anything runs (exit 2) when the plan cannot be applied (its run did not end with exit 0, or it was made with --offline), was made by another unidesk, was changed after it was written, or was made with other vars or grants: give the same --allow/--deny/--policy/--env/--secret-env (a plan file grants nothing by itself); --var may be left out (the plan's are used; not when one held a secret, which the plan keeps only as a digest) or must be the same. Refused with exit 6 when the recipe, a module it required or a file it read changed. Give the same --state-dir/--state-db and environment as the plan: they are not in the file, and a difference shows up as drift.

        While it runs, every read before the first write must return what the plan's read returned, and every write must be the plan's next write, with the same arguments and the same basis (the live object's resourceVersion, the running container, the stored value). At the first difference it stops, performs no further write, prints what the plan saw and what is there now, and exits 6. Calls inside unidesk.volatile(fn) are not compared. At the end it lists planned effects it did not reach; a run that ends ok without reaching them all exits 6 too.

        \(ExitCode.helpText)
        """)

    @Argument(help: "The plan file written by `unidesk plan RECIPE --out FILE`.")
    var plan: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        let saved: SavedPlan
        do { saved = try SavedPlan.load(path: plan) } catch { throw ValidationError(error.description) }
        var options = try common.engineOptions(mode: .run)
        if options.vars.isEmpty {
            if let secret = saved.vars.first(where: { $0.1.hasPrefix("<secret ") }) {
                throw ValidationError("the plan's var '\(secret.0)' held a secret, which the plan keeps only as a digest: give every --var again, as for the plan")
            }
            options.vars = saved.vars
        }
        options.applying = saved
        let engine = Engine(options: options, libraries: Libraries.all)
        let report = engine.run(recipePath: saved.recipe)
        throw CommandExit(code: report.exitCode.rawValue)
    }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a saved plan for review: each effect with its verdict, the counts.",
        discussion: "text is what `unidesk plan` printed (with the recipe digest, vars and grants the plan was made with); markdown is the same as a merge-request comment; json is for tools. A plan file changed after unidesk wrote it is refused (exit 2).")

    @Argument(help: "The plan file written by `unidesk plan RECIPE --out FILE`.")
    var plan: String

    @Option(help: ArgumentHelp("text, markdown or json.", valueName: "format"))
    var format: SavedPlan.ShowFormat = .text

    func run() throws {
        let saved: SavedPlan
        do { saved = try SavedPlan.load(path: plan) } catch { throw ValidationError(error.description) }
        print(saved.show(format), terminator: "")
    }
}

extension SavedPlan.ShowFormat: ExpressibleByArgument {}
