import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings

/// The reference's examples are code that works, so the reference cannot drift from the
/// API: each one is compiled as `unidesk check` compiles a recipe, and run in the sandbox
/// against fakes of the families that need infrastructure (ExampleFakes) and the real pure
/// ones (json, yaml, semver, time, fs on fixture files, state in a scratch directory).
@Suite struct ReferenceExampleTests {
    static var described: [PrimitiveSpec] { CoreSpecs.all + Libraries.all.flatMap(\.specs) }
    static var examples: [PrimitiveSpec] { described.filter { !$0.example.isEmpty } }
    static let prelude = ReferenceGenerator.examplePrelude(Libraries.all)

    @Test func everyExampleCompilesAsUnideskCheckCompilesARecipe() throws {
        #expect(Self.examples.count > 40)
        let dir = try TempRecipe(ExampleFakes.files)
        for spec in Self.examples {
            let path = "\(dir.dir)/example.lua"
            try (Self.prelude + spec.example + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let problems = try Checker(libraries: Libraries.all).check(path: path)
            #expect(problems.isEmpty, "the example of \(spec.fullName) does not compile:\n\(spec.example)\n\(problems.map(\.text).joined(separator: "\n"))")
        }
    }

    @Test(arguments: examples.map(\.fullName))
    func exampleRunsAgainstFakes(_ name: String) throws {
        let spec = try #require(Self.examples.first { $0.fullName == name })
        let recipe = try TempRecipe(ExampleFakes.files.merging(["recipe.lua": ExampleFakes.install + Self.prelude + spec.example + "\n"]) { $1 })
        var o = EngineOptions()
        o.mode = .run
        o.color = false
        o.timeout = 20
        o.stateDirectory = recipe.state
        try o.policy.add(allow: ["state.*", "fs.write:*", "kube.apply:shop/*"], deny: [])
        o.vars = ExampleFakes.vars
        o.policy.env = Array(ExampleFakes.env.keys)
        o.policy.secretEnv = ExampleFakes.secretEnv
        o.environment = ExampleFakes.env
        let r = Engine(options: o, libraries: Libraries.all + [ExampleFakes.argumentCheck]).run(recipePath: "\(recipe.dir)/recipe.lua")
        #expect(r.exitCode == .ok, "the example of \(name) fails:\n\(spec.example)\n\(r.error?.message ?? "")")
    }

    /// Values are values and functions are functions, as the reference renders them.
    @Test func everyDescribedNameHasTheShapeTheReferenceGivesIt() throws {
        var checks = ""
        func check(_ path: String, _ spec: PrimitiveSpec) {
            switch spec.shape {
            case .function: checks += "assert(type(\(path)) == 'function', '\(spec.fullName) is described as a function but is a ' .. type(\(path)))\n"
            case .method: break   // on the objects the module returns, not the module
            case .value: checks += "assert(\(path) ~= nil and type(\(path)) ~= 'function', '\(spec.fullName) is described as a value but is a ' .. type(\(path)))\n"
            }
        }
        for spec in CoreSpecs.all { check(spec.fullName, spec) }
        for lib in Libraries.all {
            for spec in lib.specs { check("require('unidesk.\(lib.name)').\(spec.name)", spec) }
        }
        #expect(checks.contains("unidesk.null ~= nil"))
        let t = try TempRecipe(["recipe.lua": checks])
        let r = try t.run(.plan(offline: true))
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
    }
}
