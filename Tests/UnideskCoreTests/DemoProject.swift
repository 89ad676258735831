import Foundation
import Testing
import UnideskProcess

/// The engine stack's demo compose project (scripts/stack/engine-up's fixture), started
/// for a recipe test on a port of its own and removed with its volumes by `down()`.
struct DemoProject {
    let name: String
    let port: Int
    let repo: String
    let environment: [String: String]
    private let compose: [String]

    /// Starts `services` (all when empty) on `repo:image`, waiting for health; with
    /// start = false only names the project (a recipe under test deploys it).
    init(prefix: String, image: String = "v1", services: [String] = [], start: Bool = true) throws {
        name = "\(prefix)\(UUID().uuidString.prefix(6).lowercased())"
        port = 18000 + Int.random(in: 100...899)
        repo = try stackValue("UNIDESK_DEMO_REPO")
        var env = ProcessInfo.processInfo.environment
        env["DEMO_IMAGE"] = "\(repo):\(image)"
        env["DEMO_PORT"] = "\(port)"
        environment = env
        compose = ["docker", "compose", "-p", name, "-f", "\(try stackValue("UNIDESK_COMPOSE_FIXTURE"))/compose.yaml"]
        guard start else { return }
        let up = try Command.run(compose + ["up", "-d", "--wait"] + services, environment: env, timeout: 120)
        if up.status != 0 {
            down()
            throw DemoError(message: "compose up of the demo project failed: \(up.stderrTail())")
        }
    }

    struct DemoError: Error, CustomStringConvertible { let message: String; var description: String { message } }

    /// Removes the containers, also of services these files do not define (a recipe's
    /// overlay may have added some), the network and the volumes.
    func down() {
        _ = try? Command.run(compose + ["down", "--volumes", "--remove-orphans", "--timeout", "1"], environment: environment, timeout: 60)
    }

    /// `curl -sf` of a path on the web service.
    func get(_ path: String) throws -> [UInt8] {
        try Command.run(["curl", "-sf", "http://127.0.0.1:\(port)\(path)"], environment: environment, timeout: 30).stdout
    }

    func compose(_ args: [String]) throws -> CommandResult {
        try Command.run(compose + args, environment: environment, timeout: 60)
    }

    /// Publishes demo image `tag` under `commit` in the registry (the engine stack's retag).
    static func publish(_ tag: String, as commit: String) throws {
        let r = try Command.run([try stackValue("UNIDESK_ENGINE_RETAG"), tag, commit], environment: ProcessInfo.processInfo.environment, timeout: 120)
        try #require(r.status == 0, "retag \(tag) \(commit): \(r.stderrTail())")
    }

    /// A copy of recipes/<recipe>'s files in a fresh directory (recipes read only their own).
    static func recipeCopy(_ recipe: String, files: [String]) throws -> String {
        let dir = NSTemporaryDirectory() + "unidesk-\(recipe)-\(UUID().uuidString.prefix(8))"
        for f in files {
            try FileManager.default.createDirectory(atPath: ((dir + "/" + f) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(repositoryRoot)/recipes/\(recipe)/\(f)", toPath: "\(dir)/\(f)")
        }
        return dir
    }
}
