import Foundation
import LuaRuntime
import UnideskData

/// The raw host functions behind the `unidesk` table; the prelude wraps them.
extension Session {
    func coreFunctions() -> LuaTable {
        var f: [(String, LuaValue)] = []
        func add(_ name: String, _ body: @escaping ([LuaValue]) throws -> [LuaValue]) {
            f.append((name, .function(HostFunction("unidesk.\(name)", body))))
        }
        // print and io.write (fd 1), io.stderr:write (fd 2): byte for byte, as Lua writes, a
        // string that is not UTF-8 included; known secrets masked.
        func write(_ fd: Int32, _ v: LuaValue?) {
            if case .bytes(let b)? = v {
                Console.writeFD(fd, bytes: self.redactor.scrub(bytes: b))
            } else {
                Console.writeFD(fd, self.redactor.scrub(v?.stringValue ?? ""))
            }
        }
        add("write_stdout") { args in write(1, args.first); return [] }
        add("write_stderr") { args in write(2, args.first); return [] }
        add("log") { args in
            let level = Console.Level(rawValue: args[0].stringValue ?? "info") ?? .info
            // The log is text for terminals and CI viewers: bytes that are not UTF-8 are shown
            // as \xNN (as control characters are), never replaced.
            self.console.log(level, args.count > 1 ? args[1].textValue ?? "" : "")
            return []
        }
        add("step_begin") { args in
            let id = self.steps.begin(args[0].stringValue ?? "?")
            self.context.stepBegan(id)
            return [.int(Int64(id))]
        }
        add("step_end") { args in
            guard case .int(let id) = args[0] else { return [] }
            let ok: Bool = { if case .bool(true) = args[1] { return true }; return false }()
            func s(_ i: Int) -> String? { i < args.count ? args[i].stringValue.map(self.redactor.scrub) : nil }
            // Finished, but past its pipeline deadline: it failed as timed out, and unidesk.step raises.
            if ok, let timeout = self.context.overran(step: Int(id)) {
                self.steps.end(Int(id), ok: false, error: timeout.description, kind: "timeout", traceback: nil)
                throw timeout
            }
            self.steps.end(Int(id), ok: ok, error: s(2), kind: s(3), traceback: s(4))
            return []
        }
        // unidesk.test's alone (through the prelude's hooks): its `it` marks the step it is
        // about to run as a test case, and its finish() fails the file for failed tests.
        add("volatile_begin") { _ in self.gate.volatileDepth += 1; return [] }
        add("volatile_end") { _ in self.gate.volatileDepth = max(0, self.gate.volatileDepth - 1); return [] }
        add("test_case") { _ in self.steps.markNextAsTest(); return [] }
        add("tests_failed") { args in
            throw HostError.structured(kind: "tests_failed", message: args.first?.stringValue ?? "tests failed")
        }
        // The stdlib's argument checks (the prelude hands it to stdlib modules as `check`):
        // check("alert.raise", a) checks the arguments against that spec as a host function's
        // are checked, and raises the same "bad argument #n to 'unidesk.alert.raise' (…)" at
        // the user's line. A method's spec ("pg.connection:tx") takes its object first.
        add("check_args") { args in
            let name = args.first?.stringValue ?? ""
            guard let spec = (CoreSpecs.all + self.libraries.flatMap(\.specs)).first(where: { $0.fullName == "unidesk." + name }) else {
                throw HostError.message("unidesk: no spec named '\(name)' to check arguments against (a stdlib bug)")
            }
            let rest = Array(args.dropFirst())
            do throws(HostError) {
                if case .method = spec.shape {
                    try spec.check(receiver: rest.first ?? .nil, Array(rest.dropFirst()))
                } else {
                    try spec.check(rest)
                }
            } catch {
                throw HostError.message(error.text(calling: spec.fullName))
            }
            return []
        }
        add("fail") { args in
            try CoreSpecs.fail.check(args)
            throw HostError.structured(kind: "fail", message: args[0].stringValue ?? "failed")
        }
        add("secret") { args in
            let spec = CoreSpecs.secret
            try spec.check(args)
            switch args[0] {
            case .secret: return [args[0]]
            default:
                let text = args[0].stringValue ?? ""
                self.redactor.register(text)
                return [.secret(Secret(text))]
            }
        }
        add("env") { args in
            try CoreSpecs.env.check(args)
            let name = args[0].stringValue ?? ""
            let policy = self.options.policy
            if policy.secretEnv.contains(name) {
                return [self.options.environment[name].map { .secret(Secret($0)) } ?? .nil]
            }
            if policy.env.contains(name) {
                return [self.options.environment[name].map { .string($0) } ?? .nil]
            }
            throw HostError.message("environment variable '\(name)' is not exposed to this run (expose it with --env \(name), --secret-env \(name), or in the policy file)")
        }
        add("output") { args in
            try CoreSpecs.output.check(args)
            let name = args[0].stringValue ?? ""
            let value: DataValue
            do { value = try LuaData.toData(args.count > 1 ? args[1] : .nil, path: "output '\(name)'") } catch {
                throw HostError.argument(2, "\(error)")
            }
            self.setOutput(name, value)
            return []
        }
        add("can") { args in
            try CoreSpecs.can.check(args)
            let text = args[0].stringValue ?? ""
            guard let colon = text.firstIndex(of: ":") else {
                throw HostError.argument(1, "capability 'family.op:scope' expected, e.g. 'fs.write:out/report.json'")
            }
            let op = String(text[..<colon])
            let cap = Capability(op, scope: String(text[text.index(after: colon)...]))
            let effect = self.effectClass(of: op)
            return [.bool(self.gate.permits(cap, effect: effect))]
        }
        add("null") { _ in [.null] }
        add("mode") { _ in [.string(self.options.mode.name)] }
        add("version") { _ in [.string(UnideskVersion.string)] }
        add("vars") { _ in [.table(LuaTable(fields: self.options.vars.map { ($0.0, .string($0.1)) }.sorted { $0.0 < $1.0 }))] }
        add("find_module") { args in
            try self.moduleFinder.find(args.first?.stringValue ?? "", path: args.count > 1 ? args[1].stringValue ?? "" : ModuleFinder.defaultPath)
        }
        // package.searchpath and package.path's guard: the prelude checks the argument types.
        add("search_path") { args in
            let (name, path) = (args[0].stringValue ?? "", args[1].stringValue ?? "")
            let (sep, rep) = (args.count > 2 ? args[2].stringValue ?? "." : ".", args.count > 3 ? args[3].stringValue ?? "/" : "/")
            if let (filename, _) = self.moduleFinder.searchPath(name, path: path, sep: sep, rep: rep) { return [.string(filename)] }
            return [.nil, .string(ModuleFinder.notFoundMessage(name, path: path, sep: sep, rep: rep))]
        }
        add("module_path_problem") { args in
            [ModuleFinder.pathProblem(args.first?.stringValue ?? "").map { .string($0) } ?? .nil]
        }
        add("default_module_path") { _ in [.string(ModuleFinder.defaultPath)] }
        add("syntax_error") { args in
            throw HostError.structured(kind: "syntax", message: args.first?.stringValue ?? "syntax error")
        }
        f.append(("recording", recordingFunctions()))   // test.replay's store: given to unidesk.test only
        return LuaTable(fields: f)
    }

    func effectClass(of operation: String) -> EffectClass {
        for lib in libraries {
            if let s = lib.specs.first(where: { $0.operation == operation }) { return s.effect }
        }
        return .write   // unknown operations are judged as strictly as writes
    }
}

public enum UnideskVersion {
    public static let string = "0.1.0"
}
