import Foundation
import LuaRuntime
import UnideskCore
import UnideskData
import UnideskFiles

/// `require "unidesk.fs"`: read-only access to the recipe's directory, and one gated write
/// primitive confined to the state directory.
public enum FSBinding {
    static let read = PrimitiveSpec(
        module: "fs", name: "read", summary: "Reads a whole file of the recipe's directory.",
        params: [Param("path", .string, "relative to the recipe's directory; `..`, absolute paths and symlinks leading outside are refused")],
        returns: [("string", "content", "the file's bytes")],
        effect: .localRead, scope: "<path relative to the recipe's directory>",
        errors: ["raises kind=not_found when the file does not exist", "raises kind=denied for a path outside the recipe's directory"],
        example: #"local text = fs.read("compose.yaml")"#)
    static let lines = PrimitiveSpec(
        module: "fs", name: "lines", summary: "Iterates over the lines of a file of the recipe's directory (without line terminators).",
        params: [Param("path", .string, "relative to the recipe's directory")],
        returns: [("fun():string?", "iterator", "for line in fs.lines(p) do … end")],
        example: #"for line in fs.lines("hosts.txt") do print(line) end"#)
    static let list = PrimitiveSpec(
        module: "fs", name: "list", summary: "Names of the entries of a directory in the recipe's directory, sorted.",
        params: [Param("path", .string, optional: true, "relative directory (default: the recipe's directory)")],
        returns: [("string[]", "names", "")],
        effect: .localRead, scope: "<path relative to the recipe's directory>",
        example: #"for _, name in ipairs(fs.list("migrations")) do print(name) end"#)
    static let exists = PrimitiveSpec(
        module: "fs", name: "exists", summary: "Whether a path exists in the recipe's directory.",
        params: [Param("path", .string, "relative to the recipe's directory")],
        returns: [("boolean", "exists", "")],
        effect: .localRead, scope: "<path relative to the recipe's directory>",
        example: #"if fs.exists("previous/compose.yaml") then unidesk.log.info("a previous release is kept") end"#)
    static let write = PrimitiveSpec(
        module: "fs", name: "write", summary: "Writes a whole file under the state directory (--state-dir), atomically: readers see the old content or the new, never a mix. A write: needs a grant, planned in plan mode.",
        params: [Param("path", .string, "relative to the state directory"), Param("content", .string, "the bytes to write")],
        returns: [("boolean", "written", "true when performed, false when only planned")],
        effect: .write, scope: "<path relative to the state directory>",
        errors: ["raises kind=denied without a grant such as --allow 'fs.write:reports/*'", "raises kind=no_space when the disk is full (the old file stays intact)"],
        example: """
        local rows = { { app = "shop", status = "ok" } }
        fs.write("reports/lane.json", json.encode(rows))
        """)

    public static let library = HostLibrary(
        name: "fs", summary: "Files: read the recipe's own directory; write under the state directory.",
        specs: [read, lines, list, exists, write]
    ) { ctx in
        let dir = ctx.recipeDirectory
        // The capability scope is the path's one normal spelling, so that `./x` and `x//`
        // meet the same policy rules as `x`.
        func scope(_ args: [LuaValue], root: String) throws -> String {
            let path = args.value(0).isNil ? "." : try args.string(0)
            do { return try RelativePath.normalize(path, root: root) } catch { throw ctx.error(error) }
        }
        let recipeScope = { (args: [LuaValue]) throws -> String in try scope(args, root: "the recipe's directory") }
        return [
            ctx.gatedRead(read, scope: recipeScope) { args throws in
                do { return [.bytesOrString(try dir.read(try recipeScope(args)))] } catch let e as FileAccessError { throw ctx.error(e) }
            },
            ctx.gatedRead(list, scope: recipeScope) { args throws in
                do { return [.table(LuaTable(array: try dir.list(try recipeScope(args)).map { .string($0) }))] } catch let e as FileAccessError { throw ctx.error(e) }
            },
            ctx.gatedRead(exists, scope: recipeScope) { args throws in
                do { return [.bool(try dir.exists(try recipeScope(args)))] } catch let e as FileAccessError { throw ctx.error(e) }
            },
            // Basis: the digest of the file it would replace (its content never enters a plan).
            ctx.gated(write, scope: { args in try scope(args, root: "the state directory") }, basis: { args in
                let path = try scope(args, root: "the state directory")
                let old = (try? ConfinedDirectory(root: ctx.stateDirectory, description: "the state directory")).flatMap { try? $0.read(path) }
                return .object([("content", old.map { .string(ctx.digest($0)) } ?? .null)])
            }, perform: { args in
                let path = try scope(args, root: "the state directory")
                let bytes: [UInt8]
                if case .bytes(let b) = args.value(1) { bytes = b } else { bytes = Array(try args.string(1).utf8) }
                do {
                    try FileManager.default.createDirectory(atPath: ctx.stateDirectory, withIntermediateDirectories: true)
                    let state = try ConfinedDirectory(root: ctx.stateDirectory, description: "the state directory")
                    let full = try state.resolve(path)
                    try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                            withIntermediateDirectories: true)
                    _ = try state.resolve(path)   // the parents just created must still be inside
                    try AtomicFile.write(bytes, to: full)
                } catch let e as FileAccessError {
                    throw ctx.error(e)
                } catch {
                    throw HostError.structured(kind: "io", message: "cannot write '\(path)' under the state directory: \(error.localizedDescription)")
                }
                return [.bool(true)]
            }, plan: { args in
                let path = try scope(args, root: "the state directory")
                let bytes: [UInt8]
                if case .bytes(let b) = args.value(1) { bytes = b } else { bytes = Array(try args.string(1).utf8) }
                let detail = DataValue.object([("path", .string(path)), ("bytes", .int(Int64(bytes.count)))])
                // Compared with the file it would replace; its content never enters the plan.
                let verdict: Verdict
                do {
                    let state = try ConfinedDirectory(root: ctx.stateDirectory, description: "the state directory")
                    let old = try state.read(path)
                    verdict = old == bytes ? .unchanged : .change(["content: \(old.count) → \(bytes.count) bytes"])
                } catch let e as FileAccessError where e.kind == .notFound {
                    verdict = .create
                } catch let e as FileAccessError {
                    throw ctx.error(e)
                }
                return Gate.Planned([.bool(false)], detail: detail, verdict: verdict)
            }),
        ]
    }
}

extension LuaValue {
    static func bytesOrString(_ b: [UInt8]) -> LuaValue {
        if let s = String(validating: b, as: UTF8.self) { return .string(s) }
        return .bytes(b)
    }
}
