import Foundation
import Testing
@testable import UnideskCore
import UnideskBindings

/// Generated reference files are committed (these tests fail when they drift from their
/// source); the embedded stdlib is generated at build time and never committed.
@Suite struct GeneratedFilesTests {
    @Test func referenceAndStubsAreCurrent() throws {
        for (rel, expected) in ReferenceGenerator(libraries: Libraries.all).files() {
            let path = "\(repositoryRoot)/\(rel)"
            let actual = try? String(contentsOfFile: path, encoding: .utf8)
            #expect(actual == expected, "\(rel) is stale: run `unidesk doc` (swift run unidesk doc)")
        }
    }

    @Test func embeddedStdlibIsTheStdlibDirectory() throws {
        // The EmbedStdlib build-tool plugin compiles stdlib/ into the binary at build time.
        let root = "\(repositoryRoot)/stdlib"
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".lua") } ?? []
        #expect(!files.isEmpty)
        #expect(Set(files) == Set(EmbeddedStdlib.files.keys))
        for f in files {
            let text = try String(contentsOfFile: "\(root)/\(f)", encoding: .utf8)
            #expect(EmbeddedStdlib.files[f] == text, "\(f) differs from the embedded copy")
        }
    }

    @Test func stdlibIsNotCommittedTwice() throws {
        // stdlib/ is the only copy in the repository: no Swift source repeats a stdlib file.
        let prelude = try String(contentsOfFile: "\(repositoryRoot)/stdlib/unidesk/_prelude.lua", encoding: .utf8)
        let firstLine = String(prelude.prefix { $0 != "\n" })
        for dir in ["Sources", "Tests"] {
            let swiftFiles = FileManager.default.enumerator(atPath: "\(repositoryRoot)/\(dir)")?.compactMap { $0 as? String }
                .filter { $0.hasSuffix(".swift") } ?? []
            for f in swiftFiles {
                let text = try String(contentsOfFile: "\(repositoryRoot)/\(dir)/\(f)", encoding: .utf8)
                #expect(!text.contains(firstLine), "\(dir)/\(f) holds a copy of stdlib/unidesk/_prelude.lua")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: "\(repositoryRoot)/scripts/embed-stdlib"))
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
