import Foundation
import UnideskProcess
import UnideskTestSupport

/// An Alertmanager of the test's own (scripts/stack/alertmanager-up in a temp
/// UNIDESK_STACK_DIR, a free port), stopped by alertmanager-down (by its PID).
final class TestAlertmanager {
    let stackDir: String
    let url: String

    struct Failure: Error, CustomStringConvertible { let description: String }

    init() throws {
        stackDir = FileManager.default.temporaryDirectory.appendingPathComponent("unidesk-am-\(UUID().uuidString.prefix(8))").path
        do {
            try Self.script("alertmanager-up", stackDir)
            let env = try String(contentsOfFile: stackDir + "/alertmanager/env.sh", encoding: .utf8)
            guard let line = env.split(separator: "\n").first(where: { $0.hasPrefix("export ALERTMANAGER_URL=") }) else {
                throw Failure(description: "alertmanager-up wrote no ALERTMANAGER_URL: \(env)")
            }
            url = String(line.dropFirst("export ALERTMANAGER_URL=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        } catch {
            try? Self.script("alertmanager-down", stackDir)
            throw error
        }
    }

    func stop() { try? Self.script("alertmanager-down", stackDir) }

    /// Its active alerts' labels.
    func alertLabels() throws -> [[String: String]] {
        let r = try Command.run(["curl", "-sS", "--fail", "--max-time", "10", url + "/api/v2/alerts"],
                                environment: ProcessInfo.processInfo.environment, timeout: 20)
        guard r.status == 0 else { throw Failure(description: "GET /api/v2/alerts: \(r.stderrText)") }
        let alerts = try JSONSerialization.jsonObject(with: Data(r.stdout)) as? [[String: Any]] ?? []
        return alerts.map { $0["labels"] as? [String: String] ?? [:] }
    }

    static func script(_ name: String, _ dir: String) throws {
        var env = ProcessInfo.processInfo.environment
        env["UNIDESK_STACK_DIR"] = dir
        let r = try Command.run(["/bin/bash", "\(repositoryRoot)/scripts/stack/\(name)", "--quiet"], environment: env, timeout: 60)
        guard r.status == 0 else { throw Failure(description: "\(name) failed (exit \(r.status)): \(r.stderrText)") }
    }
}
