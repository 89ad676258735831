import Foundation
import Testing
// The shared stack environment and repository root, for every file of this target.
@_exported import UnideskTestSupport
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
             secretEnv: [String] = [], timeout: Double = 20, fingerprintReads: Bool? = nil) throws -> RunReport {
        var o = EngineOptions()
        o.mode = mode
        o.fingerprintReads = fingerprintReads
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

/// A value exported by the real test stacks (registry-up's, pg-up's, engine-up's env.sh).
/// Missing means a stack is not up: the test fails, it never skips.
func stackValue(_ name: String) throws -> String {
    try StackEnvironment.any.value(name)
}
