import Foundation
@testable import UnideskCore

/// recipes/migration-gate's fixtures set up beside a deploy recipe under test, as a
/// repository keeps its migrations next to its recipe, and the run's admin DSN.
enum MigrationGateFixtures {
    static let root = "\(repositoryRoot)/recipes/migration-gate/fixtures"

    /// Copies the shared baseline to `dir/schema.sql` and each fixture's migrations to
    /// `dir/<name>` (["migrations": "ownership"] gives dir/migrations with the 42501 outage).
    static func install(into dir: String, _ sets: [String: String]) throws {
        try FileManager.default.copyItem(atPath: "\(root)/baseline.sql", toPath: "\(dir)/schema.sql")
        for (name, fixture) in sets {
            try FileManager.default.copyItem(atPath: "\(root)/\(fixture)/migrations", toPath: "\(dir)/\(name)")
        }
    }

    /// `--var migrations=… --var baseline=schema.sql`, the pg grant and MIGRATE_ADMIN_DSN as a
    /// secret from the stack's admin DSN, on top of the process environment.
    static func enable(_ o: inout EngineOptions, migrations: String) throws {
        o.vars += [("migrations", migrations), ("baseline", "schema.sql")]
        try o.policy.add(allow: ["pg.exec:*"], deny: [])
        o.policy.secretEnv += ["MIGRATE_ADMIN_DSN"]
        o.environment = ProcessInfo.processInfo.environment.merging(["MIGRATE_ADMIN_DSN": try stackValue("UNIDESK_PG_ADMIN_DSN")]) { $1 }
    }
}
