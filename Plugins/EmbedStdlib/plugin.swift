import Foundation
import PackagePlugin

/// Embeds stdlib/**/*.lua into the target it is applied to (UnideskCore) at build time:
/// runs EmbedStdlibGenerator, which writes EmbeddedStdlib.swift into the plugin's work
/// directory. The .lua files are the command's inputs, so editing one regenerates it.
@main
struct EmbedStdlib: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let stdlib = context.package.directoryURL.appendingPathComponent("stdlib")
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedStdlib.swift")
        var inputs: [URL] = []
        if let walker = FileManager.default.enumerator(at: stdlib, includingPropertiesForKeys: nil) {
            for case let file as URL in walker where file.pathExtension == "lua" { inputs.append(file) }
        }
        return [.buildCommand(
            displayName: "Embedding stdlib/ (\(inputs.count) Lua files)",
            executable: try context.tool(named: "EmbedStdlibGenerator").url,
            arguments: [stdlib.path, output.path],
            inputFiles: inputs.sorted { $0.path < $1.path },
            outputFiles: [output]
        )]
    }
}
