import ArgumentParser
import Foundation
import UnideskBindings
import UnideskCore
import UnideskFiles

struct DocCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doc", abstract: "Generate the primitive reference (docs/reference) and LuaLS stubs (stubs/).",
        discussion: "Both are generated from the same descriptions that check every call's arguments, so they cannot drift from behaviour.")

    @Option(help: "Directory to write docs/reference/ and stubs/ under.")
    var out: String = "."

    func run() throws {
        for (rel, text) in ReferenceGenerator(libraries: Libraries.all).files().sorted(by: { $0.key < $1.key }) {
            let path = "\(out)/\(rel)"
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(Array(text.utf8), to: path)
            print("wrote \(rel)")
        }
    }
}
