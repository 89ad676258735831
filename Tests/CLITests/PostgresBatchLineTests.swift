import Foundation
import Testing
import UnideskTestSupport

/// What a bulk load prints: conn:exec_many is one `[write]` line per batch with its row
/// count, and one `[plan]` line in plan mode, never a line per row.
@Suite("CLI: PostgreSQL batches print one line")
struct PostgresBatchLineTests {
    let table = "t_lines_\(UUID().uuidString.prefix(8).lowercased())"

    /// Rows of ids from `first`; the table is created when missing.
    func recipe(_ rows: Int, first: Int = 1) -> String {
        """
        local pg = require "unidesk.pg"
        local conn = pg.connect(unidesk.env("DSN"))
        assert(conn:exec("CREATE TABLE IF NOT EXISTS \(table) (id int PRIMARY KEY)"))
        local rows = {}
        for i = 1, \(rows) do rows[i] = { \(first - 1) + i } end
        assert(conn:exec_many("INSERT INTO \(table) (id) VALUES ($1)", rows))
        assert(conn:exec_many("INSERT INTO \(table) (id) VALUES ($1)", { { -\(first) } }))
        """
    }

    @Test("a run prints one [write] line per batch, with the row count; plan prints one [plan] line")
    func oneLinePerBatch() throws {
        let dsn = try StackEnvironment.postgres.value("UNIDESK_PG_ADMIN_DSN")
        let r = try RecipeRun(recipe(2000))
        defer {
            _ = try? RecipeRun("local pg = require 'unidesk.pg'; pg.connect(unidesk.env('DSN')):exec('DROP TABLE IF EXISTS \(table)')")
                .run("run", ["--no-color", "--secret-env", "DSN", "--allow", "pg.*"], environment: ["DSN": dsn])
            r.remove()
        }
        let flags = ["--no-color", "--secret-env", "DSN", "--allow", "pg.*"]
        let run = try r.run("run", flags, environment: ["DSN": dsn])
        #expect(run.exitCode == 0, "\(run.summary)")
        let writes = run.stderr.split(separator: "\n").filter { $0.hasPrefix("[write] ") }
        #expect(writes.count == 3, "CREATE TABLE, then one line per batch: \(writes)")
        #expect(writes.count == 3 && writes[1].hasPrefix("[write] pg.exec:unidesk_test@unidesk_admin (2000 rows, ") && writes[1].hasSuffix("ms)"), "\(writes)")
        #expect(writes.count == 3 && writes[2].hasPrefix("[write] pg.exec:unidesk_test@unidesk_admin (1 row, "), "\(writes)")

        // The table exists (the run made it); the plan verifies new ids by rollback.
        let plan = try RecipeRun(recipe(20, first: 100_001))
        defer { plan.remove() }
        let p = try plan.run("plan", flags, environment: ["DSN": dsn])
        let planned = p.stderr.split(separator: "\n").filter { $0.hasPrefix("[plan] ") && $0.contains("(20 rows)") }
        #expect(p.exitCode == 0 && planned.count == 1, "\(p.summary)")
    }
}
