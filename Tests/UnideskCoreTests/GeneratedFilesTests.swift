import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings

/// Generated files are committed; these tests fail when they drift from their source.
@Suite struct GeneratedFilesTests {
    @Test func referenceAndStubsAreCurrent() throws {
        for (rel, expected) in ReferenceGenerator(libraries: Libraries.all).files() {
            let path = "\(repositoryRoot)/\(rel)"
            let actual = try? String(contentsOfFile: path, encoding: .utf8)
            #expect(actual == expected, "\(rel) is stale: run `unidesk doc` (swift run unidesk doc)")
        }
    }

    @Test func embeddedStdlibMatchesStdlibDirectory() throws {
        let root = "\(repositoryRoot)/stdlib"
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".lua") } ?? []
        #expect(!files.isEmpty)
        #expect(Set(files) == Set(EmbeddedStdlib.files.keys), "run scripts/embed-stdlib")
        for f in files {
            let text = try String(contentsOfFile: "\(root)/\(f)", encoding: .utf8)
            #expect(EmbeddedStdlib.files[f] == text, "\(f) changed: run scripts/embed-stdlib")
        }
    }

    @Test func everySpecHasAFunctionInItsModule() throws {
        // Objects whose methods are described (shape .method(of:)); offline plans connect to nothing.
        let objects = ["connection": "require('unidesk.pg').connect('host=127.0.0.1 port=1 dbname=x user=y')"]
        var checks = ""
        for lib in Libraries.all {
            for spec in lib.specs {
                if case .method(let cls) = spec.shape {
                    guard let make = objects[cls] else { Issue.record("no object to check \(spec.fullName) on"); continue }
                    checks += "assert((\(make)).\(spec.name) ~= nil, '\(spec.fullName) is described but missing')\n"
                    continue
                }
                checks += "assert(require('unidesk.\(lib.name)').\(spec.name) ~= nil, '\(spec.fullName) is described but missing')\n"
            }
        }
        let t2 = try TempRecipe(["recipe.lua": checks])
        let r = try t2.run(.plan(offline: true))
        #expect(r.exitCode == .ok, "\(r.error?.message ?? "")")
    }
}
