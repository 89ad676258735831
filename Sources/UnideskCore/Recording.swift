import Foundation
import LuaRuntime
import UnideskData
import UnideskFiles

/// The host side of `test.replay`: recording files of real primitive responses, read for a
/// replay and written by `unidesk test --record`. Only unidesk.test receives these functions
/// (the prelude hands them to that module alone), and they touch only files inside the
/// recipe's directory. Everything written passes through the run's redactor.
final class RecordingStore {
    struct File {
        var family: String
        var calls: [DataValue] = []
    }

    let directory: ConfinedDirectory
    let redactor: Redactor
    let console: Console
    let recording: Bool
    private var files: [(path: String, file: File)] = []

    init(directory: ConfinedDirectory, redactor: Redactor, console: Console, recording: Bool) {
        self.directory = directory
        self.redactor = redactor
        self.console = console
        self.recording = recording
    }

    /// The recipe's directory as the user would type it (relative to the working directory
    /// when it lies below it), for messages.
    var shownDirectory: String {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).resolvingSymlinksInPath().path
        if directory.root == cwd { return "." }
        return directory.root.hasPrefix(cwd + "/") ? String(directory.root.dropFirst(cwd.count + 1)) : directory.root
    }

    func shown(_ path: String) -> String {
        let dir = shownDirectory
        return dir == "." ? path : "\(dir)/\(path)"
    }

    var rerecord: String { "unidesk test --record \(shownDirectory)" }

    /// The absolute path of a recording; refuses paths that leave the recipe's directory.
    func resolve(_ path: String) throws -> String {
        do { return try directory.resolve(path) } catch {
            throw HostError.message("test.replay: \(error.message)")
        }
    }

    // MARK: record

    func open(_ path: String, family: String) throws {
        guard recording else { throw HostError.message("test.replay: recordings are written only by `unidesk test --record`") }
        guard path.hasSuffix(".json") else {
            throw HostError.message("test.replay: a recording's name ends in .json, got '\(path)' (e.g. fixtures/\(family).recording.json)")
        }
        let full = try resolve(path)
        // Never clobber a file that is not a recording (a desired-state file, the recipe).
        if let bytes = FileManager.default.contents(atPath: full) {
            let doc = try? JSON.decode(bytes: [UInt8](bytes))
            guard doc?["family"]?.stringValue != nil, doc?["calls"]?.arrayValue != nil else {
                throw HostError.message("test.replay: \(shown(path)) exists and is not a recording; refusing to overwrite it (choose another name)")
            }
        }
        if let existing = files.first(where: { $0.path == path }) {
            guard existing.file.family == family else {
                throw HostError.message("test.replay: \(shown(path)) already records unidesk.\(existing.file.family) in this run; use one recording file per family")
            }
            return
        }
        files.append((path, File(family: family)))
    }

    func append(path: String, fn: String, outcome: String, args: [LuaValue], rest: [LuaValue]) throws {
        guard let i = files.firstIndex(where: { $0.path == path }) else {
            throw HostError.message("test.replay: \(shown(path)) was not opened for recording")
        }
        let family = files[i].file.family
        var args = args
        while let last = args.last, last.isNil { args.removeLast() }   // as key() matches them
        let what = "unidesk.\(family).\(fn)"
        var call: [(String, DataValue)] = [("fn", .string(fn)),
                                           ("args", .array(try Self.argumentData(args, what)))]
        if outcome == "error" {
            call.append(("error", Self.errorData(rest.first ?? .nil)))
        } else {
            var results = rest
            while let last = results.last, last.isNil { results.removeLast() }
            do {
                call.append(("results", .array(try results.enumerated().map { try LuaData.toData($0.1, .maskingSecrets, path: "result \($0.0 + 1)") })))
            } catch {
                throw HostError.message("cannot record \(what): \(error); only families whose results are data (registry, http, kube, compose…) can be recorded")
            }
        }
        files[i].file.calls.append(.object(call))
    }

    /// Writes every recording of the run: pretty JSON, keys in a fixed order, secrets masked,
    /// atomically (a crash leaves the old recording or the new one).
    func save() throws {
        guard recording else { return }
        for (path, file) in files {
            let doc = DataValue.object([
                ("family", .string(file.family)),
                ("recorded_by", .string("unidesk test --record")),
                ("calls", .array(file.calls)),
            ])
            let clean = redactor.scrub(doc)
            let text: String
            do { text = try JSON.encode(clean, options: .init(pretty: true, sortKeys: false)) } catch {
                throw HostError.message("cannot encode the recording \(shown(path)): \(error.message)")
            }
            let full = try resolve(path)
            do {
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try AtomicFile.write(Array((redactor.scrub(text) + "\n").utf8), to: full)
            } catch let e as FileAccessError {
                throw HostError.message("cannot write the recording \(shown(path)): \(e.message)")
            } catch {
                throw HostError.message("cannot write the recording \(shown(path)): \(error)")
            }
            console.line("recorded \(file.calls.count) call\(file.calls.count == 1 ? "" : "s") of unidesk.\(file.family) in \(shown(path))")
        }
    }

    // MARK: replay

    /// A recording as test.lua matches it: {file, rerecord, calls = {{fn, key, n, results, error}…}}.
    func load(_ path: String, family: String) throws -> LuaValue {
        let full = try resolve(path)
        let name = shown(path)
        func bad(_ why: String) -> HostError {
            HostError.message("test.replay: the recording \(name) \(why); re-record it with `\(rerecord)`")
        }
        guard let bytes = FileManager.default.contents(atPath: full) else {
            throw bad("does not exist (or cannot be read)")
        }
        let doc: DataValue
        do { doc = try JSON.decode(bytes: [UInt8](bytes)) } catch {
            throw bad("is not valid JSON (\(error.message))")
        }
        guard case .object(let top) = doc else { throw bad("is not a JSON object with \"family\" and \"calls\"") }
        func field(_ o: [(String, DataValue)], _ k: String) -> DataValue? { o.first { $0.0 == k }?.1 }
        guard case .string(let recorded)? = field(top, "family") else { throw bad("has no \"family\"") }
        guard recorded == family else { throw bad("records unidesk.\(recorded), not unidesk.\(family)") }
        guard case .array(let calls)? = field(top, "calls") else { throw bad("has no \"calls\" list") }
        var out: [LuaValue] = []
        for (i, c) in calls.enumerated() {
            let at = "calls[\(i + 1)]"
            guard case .object(let o) = c else { throw bad("has \(at) that is not an object") }
            guard case .string(let fn)? = field(o, "fn") else { throw bad("has \(at) without \"fn\"") }
            guard case .array(let args)? = field(o, "args") else { throw bad("has \(at) without an \"args\" list") }
            var entry: [(String, LuaValue)] = [("fn", .string(fn)), ("key", .string(Self.key(args)))]
            if let e = field(o, "error") {
                guard case .object(let eo) = e, case .string? = field(eo, "message") else { throw bad("has \(at) whose \"error\" has no \"message\"") }
                entry.append(("error", LuaData.toLua(e)))
            } else if case .array(let results)? = field(o, "results") {
                entry.append(("n", .int(Int64(results.count))))
                entry.append(("results", .table(LuaTable(array: results.map(LuaData.toLua)))))
            } else {
                throw bad("has \(at) with neither \"results\" nor \"error\"")
            }
            out.append(.table(LuaTable(fields: entry)))
        }
        return .table(LuaTable(fields: [("file", .string(name)), ("rerecord", .string(rerecord)), ("calls", .table(LuaTable(array: out)))]))
    }

    /// The form calls are matched by: the arguments as compact JSON with sorted keys, trailing
    /// nils dropped, secrets and known secret text masked (as they are in a recording).
    func key(_ args: [LuaValue]) throws -> String {
        var a = args
        while let last = a.last, last.isNil { a.removeLast() }
        let data: [DataValue]
        do { data = try a.enumerated().map { try LuaData.toData($0.1, .describing, path: "argument \($0.0 + 1)") } } catch {
            throw HostError.message("test.replay: cannot match this call: \(error)")
        }
        return Self.key(redactor.scrub(.array(data)).arrayValue ?? [])
    }

    static func key(_ args: [DataValue]) -> String {
        DataValue.array(args).canonicalJSON ?? "[]"
    }

    /// Raises a recorded error as the primitive raised it: a structured error with the
    /// recorded kind, message and fields (`where` is the replaying call's line).
    func raise(_ e: LuaValue) throws -> Never {
        let t = e.tableValue ?? LuaTable()
        let kind = t["kind"].stringValue ?? "error"
        let message = t["message"].stringValue ?? "error"
        throw HostError.structured(kind: kind, message: message, fields: t.fields.filter { $0.0 != "kind" && $0.0 != "message" })
    }

    // MARK: values

    static func argumentData(_ args: [LuaValue], _ what: String) throws -> [DataValue] {
        do { return try args.enumerated().map { try LuaData.toData($0.1, .describing, path: "argument \($0.0 + 1)") } } catch {
            throw HostError.message("cannot record \(what): \(error)")
        }
    }

    /// A raised error as a recording keeps it: kind, message and the primitive's own fields;
    /// not `where` or `traceback`, which belong to the recording run's code.
    static func errorData(_ e: LuaValue) -> DataValue {
        guard case .table(let t) = e else { return .object([("message", .string(e.stringValue ?? "error (a \(e.typeName) value)"))]) }
        var out: [(String, DataValue)] = []
        if let k = t["kind"].stringValue { out.append(("kind", .string(k))) }
        out.append(("message", .string(t["message"].stringValue ?? "error")))
        for (k, v) in t.fields where !["kind", "message", "where", "traceback"].contains(k) {
            if let d = try? LuaData.toData(v, .maskingSecrets, path: k) { out.append((k, d)) }
        }
        return .object(out)
    }
}

extension Session {
    /// The `recording` table of host functions the prelude hands to unidesk.test alone.
    func recordingFunctions() -> LuaValue {
        let store = RecordingStore(directory: moduleFinder.recipeDirectory, redactor: redactor, console: console,
                                   recording: options.recordReplays)
        func fn(_ name: String, _ body: @escaping ([LuaValue]) throws -> [LuaValue]) -> (String, LuaValue) {
            (name, .function(HostFunction("unidesk.test.replay", body)))
        }
        func string(_ args: [LuaValue], _ i: Int) throws -> String {
            guard i < args.count, let s = args[i].stringValue else {
                throw HostError.argument(i + 1, "string expected, got \(i < args.count ? args[i].typeName : "no value")")
            }
            return s
        }
        return .table(LuaTable(fields: [
            ("mode", .bool(options.recordReplays)),
            fn("open") { args in try store.open(try string(args, 0), family: try string(args, 1)); return [] },
            fn("load") { args in [try store.load(try string(args, 0), family: try string(args, 1))] },
            // append(path, fn, "results"|"error", nargs, args…, results… | err)
            fn("append") { args in
                guard args.count >= 4, case .int(let n) = args[3], n >= 0, 4 + Int(n) <= args.count else {
                    throw HostError.message("test.replay: malformed recording call")
                }
                let split = 4 + Int(n)
                try store.append(path: try string(args, 0), fn: try string(args, 1), outcome: try string(args, 2),
                                 args: Array(args[4..<split]), rest: Array(args[split...]))
                return []
            },
            fn("save") { _ in try store.save(); return [] },
            fn("key") { args in [.string(try store.key(args))] },
            fn("raise") { args in try store.raise(args.first ?? .nil) },
        ].sorted { $0.0 < $1.0 }))
    }
}
