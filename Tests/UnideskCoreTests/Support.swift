import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings

/// A temporary recipe directory with files, removed at deinit.
final class TempRecipe {
    let dir: String
    let state: String

    init(_ files: [String: String]) throws {
        dir = NSTemporaryDirectory() + "unidesk-core-\(UUID().uuidString)"
        state = dir + "-state"
        for (name, text) in files {
            let path = "\(dir)/\(name)"
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.removeItem(atPath: state)
    }

    func run(_ mode: RunMode = .run, allow: [String] = [], deny: [String] = [], env: [String: String] = [:],
             secretEnv: [String] = [], timeout: Double = 20) throws -> RunReport {
        var o = EngineOptions()
        o.mode = mode
        o.color = false
        o.timeout = timeout
        o.stateDirectory = state
        try o.policy.add(allow: allow, deny: deny)
        o.policy.secretEnv = secretEnv
        o.policy.env = Array(env.keys)
        o.environment = env
        return Engine(options: o, libraries: Libraries.all).run(recipePath: "\(dir)/recipe.lua")
    }
}

/// A value exported by the real test stack (scripts/stack/registry-up's env.sh). Missing
/// means the stack is not up: the test fails, it never skips.
func stackValue(_ name: String) throws -> String {
    guard let v = ProcessInfo.processInfo.environment[name], !v.isEmpty else {
        Issue.record("\(name) is not set: start scripts/stack/registry-up and source its env.sh (scripts/test does)")
        throw CancellationError()
    }
    return v
}

/// The repository root, from this file's location.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()
