import ArgumentParser
import Foundation
import UnideskBindings
import UnideskCore
import UnideskFiles

struct DocCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doc", abstract: "Print a primitive's reference, or regenerate docs/reference and stubs/ of a checkout.",
        discussion: """
        unidesk doc NAME prints the reference of one module (kube, unidesk.kube, unidesk) or primitive (http.get, unidesk.step, pg.connection:exec), as ansible-doc does.

        Without NAME it writes the Markdown reference (docs/reference/) and the LuaLS stubs (stubs/) under --out, by default under the unidesk checkout this binary lies in (e.g. <checkout>/.build/debug/unidesk), else the current directory when it is a unidesk checkout (Package.swift and stdlib/unidesk/). Anywhere else it refuses rather than write into an unrelated directory.

        Both are generated from the same descriptions that check every call's arguments, so they cannot drift from behaviour.
        """)

    @Argument(help: "A module or primitive to print the reference of, e.g. http.get or kube.")
    var name: String?

    @Option(help: ArgumentHelp("Directory to write docs/reference/ and stubs/ under (default: the unidesk checkout).", valueName: "dir"))
    var out: String?

    func run() throws {
        let generator = ReferenceGenerator(libraries: Libraries.all)
        if let name {
            guard let text = generator.reference(for: name) else {
                throw ValidationError("no module or primitive named '\(name)'; modules: \(generator.moduleNames.joined(separator: ", ")) (primitives as module.name, e.g. http.get)")
            }
            print(text, terminator: "")
            return
        }
        let root = try out ?? Self.checkout()
        for (rel, text) in generator.files().sorted(by: { $0.key < $1.key }) {
            let path = "\(root)/\(rel)"
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(Array(text.utf8), to: path)
            print("wrote \(path)")
        }
    }

    static func isCheckout(_ dir: String) -> Bool {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        return fm.fileExists(atPath: "\(dir)/Package.swift")
            && fm.fileExists(atPath: "\(dir)/stdlib/unidesk", isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The checkout this binary belongs to (it lies inside it, e.g. <checkout>/.build/debug/),
    /// else the current directory when it is a unidesk checkout. An installed binary run
    /// anywhere else has no checkout to write to.
    static func checkout() throws -> String {
        var dir = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
            .resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/" && !dir.path.isEmpty {
            if isCheckout(dir.path) { return dir.path }
            dir = dir.deletingLastPathComponent()
        }
        let here = FileManager.default.currentDirectoryPath
        if isCheckout(here) { return here }
        throw ValidationError("unidesk doc writes docs/reference/ and stubs/ of a unidesk checkout (a directory with Package.swift and stdlib/unidesk/), and neither this binary nor the current directory is in one: run it in the checkout, give --out DIR, or print one entry with 'unidesk doc NAME'")
    }
}
