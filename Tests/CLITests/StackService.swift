import Foundation
import UnideskProcess
import UnideskTestSupport

/// A server a test starts for itself: scripts/stack/<name>-up in a temp UNIDESK_STACK_DIR
/// (its own free port), stopped by <name>-down (by its PID).
final class StackService {
    let name: String
    let stackDir: TempDir
    /// The URL its env.sh exports (WEBHOOK_URL, ALERTMANAGER_URL, PUSHGATEWAY_URL).
    let url: String

    init(_ name: String, urlVariable: String, environment: [String: String] = [:]) throws {
        self.name = name
        stackDir = try TempDir(prefix: "unidesk-\(name)")
        do { try Self.script("\(name)-up", stackDir, environment) } catch {
            // whatever it started is stopped by its PID, and the directory goes
            try? Self.script("\(name)-down", stackDir, [:])
            stackDir.remove()
            throw error
        }
        let env = try String(contentsOfFile: stackDir.path("\(name)/env.sh"), encoding: .utf8)
        guard let line = env.split(separator: "\n").first(where: { $0.hasPrefix("export \(urlVariable)=") }) else {
            throw BinaryNotFound(description: "\(name)-up wrote no \(urlVariable): \(env)")
        }
        url = String(line.dropFirst("export \(urlVariable)=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
    }

    /// The port of `url`.
    var port: Int { URLComponents(string: url)?.port ?? 0 }

    func stop() {
        try? Self.script("\(name)-down", stackDir, [:])
        stackDir.remove()
    }

    static func script(_ script: String, _ dir: TempDir, _ extra: [String: String]) throws {
        var env = ProcessInfo.processInfo.environment
        env["UNIDESK_STACK_DIR"] = dir.url.path
        env.merge(extra) { $1 }
        // UnideskProcess, not Foundation's Process: the server outlives the script and
        // must not hold the pipe Foundation watches for the script's exit.
        let r = try Command.run(["/bin/bash", "\(repositoryRoot)/scripts/stack/\(script)", "--quiet"], environment: env, timeout: 60)
        guard r.status == 0 else { throw BinaryNotFound(description: "\(script) failed (exit \(r.status)): \(r.stderrText)") }
    }

    /// GET url + path with curl (the server's own view, not unidesk's).
    func get(_ path: String) throws -> String {
        let r = try Command.run(["/usr/bin/curl", "-sS", "--fail", "--max-time", "10", url + path],
                                environment: ProcessInfo.processInfo.environment, timeout: 20)
        guard r.status == 0 else { throw BinaryNotFound(description: "GET \(url)\(path): \(r.stderrText)") }
        return r.stdoutText
    }

    /// GET url + path, parsed as JSON.
    func getJSON(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try get(path).utf8))
    }
}
