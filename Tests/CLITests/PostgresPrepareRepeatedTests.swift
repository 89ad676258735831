import Foundation
import Testing
import UnideskTestSupport

/// pg.connect's prepare_repeated: on by default, off on request (a pooler in transaction
/// mode); the recipe's outcome is the same either way.
@Suite("CLI: pg.connect prepares repeated statements unless told not to")
struct PostgresPrepareRepeatedTests {
    let table = "t_prep_\(UUID().uuidString.prefix(8).lowercased())"

    func recipe(options: String) -> String {
        """
        local pg = require "unidesk.pg"
        local conn = pg.connect(unidesk.env("DSN"), \(options))
        assert(conn:exec("CREATE TABLE IF NOT EXISTS \(table) (id int PRIMARY KEY)"))
        assert(conn:exec("TRUNCATE \(table)"))
        for i = 1, 5 do assert(conn:exec("INSERT INTO \(table) (id) VALUES ($1)", { i })) end
        local n = assert(conn:query("SELECT count(*) AS n FROM \(table)"))[1].n
        local p = assert(conn:query("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO \(table)%'"))[1].n
        print("rows " .. n .. ", prepared " .. p)
        """
    }

    @Test("default: prepared once; prepare_repeated = false: never; 5 rows both ways")
    func preparedUnlessTurnedOff() throws {
        let dsn = try StackEnvironment.postgres.value("UNIDESK_PG_ADMIN_DSN")
        let flags = ["--no-color", "--secret-env", "DSN", "--allow", "pg.*"]
        defer {
            _ = try? RecipeRun("local pg = require 'unidesk.pg'; pg.connect(unidesk.env('DSN')):exec('DROP TABLE IF EXISTS \(table)')")
                .run("run", flags, environment: ["DSN": dsn])
        }
        for (options, expected) in [("nil", "rows 5, prepared 1"), ("{ prepare_repeated = true }", "rows 5, prepared 1"),
                                    ("{ prepare_repeated = false }", "rows 5, prepared 0")] {
            let r = try RecipeRun(recipe(options: options))
            defer { r.remove() }
            let run = try r.run("run", flags, environment: ["DSN": dsn])
            #expect(run.exitCode == 0 && run.stdout.contains(expected), "\(options): \(run.summary)")
        }
        let bad = try RecipeRun(recipe(options: "{ prepare_repeated = 'no' }"))
        defer { bad.remove() }
        let run = try bad.run("run", flags, environment: ["DSN": dsn])
        #expect(run.exitCode != 0 && run.stderr.contains("prepare_repeated"), "\(run.summary)")
    }
}
