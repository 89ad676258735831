import Foundation
import Testing
@testable import UnideskCompose

/// How a recipe's project arguments become the files compose is given: no engine, no Lua.
@Suite struct ComposeProjectResolveTests {
    let root = NSTemporaryDirectory() + "unidesk-compose-resolve-\(UUID().uuidString.prefix(8))"

    func write(_ rel: String) throws {
        let path = "\(root)/\(rel)"
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "services: {}\n".write(toFile: path, atomically: true, encoding: .utf8)
    }

    func resolve(_ name: String = "shop", dir: String? = nil, files: [String]? = nil) throws -> ComposeProject {
        try ComposeProject.resolve(name: name, dir: dir, files: files, environment: ["TAG": "v1"]) { path, _ in "\(root)/\(path)" }
    }

    func argumentError(_ body: () throws -> ComposeProject) -> ComposeProject.ArgumentError? {
        do { _ = try body(); return nil } catch { return error as? ComposeProject.ArgumentError }
    }

    @Test func aDirectoryGivesItsComposeFileAndOneOverride() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write("deploy/docker-compose.yml")
        try write("deploy/compose.yaml")
        try write("deploy/compose.override.yml")
        try write("deploy/docker-compose.override.yaml")
        let p = try resolve(dir: "deploy")
        #expect(p.files == ["\(root)/deploy/compose.yaml", "\(root)/deploy/compose.override.yml"], "compose's own order of preference")
        #expect(p.directory == "\(root)/deploy" && p.environment == ["TAG": "v1"] && p.name == "shop")
    }

    @Test func filesGivenAreUsedInOrderAndMustExist() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write("deploy/compose.yaml")
        try write("base.yaml")
        try write("prod.yaml")
        let p = try resolve(dir: "deploy", files: ["base.yaml", "prod.yaml"])
        #expect(p.files == ["\(root)/base.yaml", "\(root)/prod.yaml"], "files given replace the discovery")
        #expect(argumentError { try resolve(files: ["base.yaml", "gone.yaml"]) } == .init(field: "files", message: "'gone.yaml' does not exist"))
    }

    @Test func badInputNamesTheField() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/empty", withIntermediateDirectories: true)
        #expect(argumentError { try resolve(dir: "empty") } == .init(field: "dir", message: "no compose.yaml in 'empty'"))
        #expect(argumentError { try resolve("Shop") }?.field == "project")
        #expect(argumentError { try resolve("") }?.field == "project")
    }

    @Test func aRefusedPathIsTheLocatorsError() {
        struct Outside: Error {}
        #expect(throws: Outside.self) {
            _ = try ComposeProject.resolve(name: "shop", dir: "../x", files: nil) { _, _ in throw Outside() }
        }
    }
}
