import Foundation
import LuaRuntime
import Testing
@testable import UnideskCore
@testable import UnideskBindings
import UnideskData

/// The gate by type: every effectful primitive is registered through a gated form and
/// writes an audit record, whatever the family.
@Suite struct GateByTypeTests {
    /// A session with every library built, for what the libraries registered.
    static func session() throws -> (Session, TempRecipe) {
        let recipe = try TempRecipe(["recipe.lua": "return nil\n"])
        let redactor = Redactor()
        let session = try Session(options: EngineOptions(), libraries: Libraries.all,
                                  console: Console(color: false, redactor: redactor), redactor: redactor, recipeDirectory: recipe.dir)
        return (session, recipe)
    }

    @Test func noEffectfulSpecIsRegisteredThroughFunction() throws {
        let (session, recipe) = try Self.session()
        defer { session.finish(); _ = recipe }
        let registrations = session.context.registrations
        #expect(!registrations.isEmpty)
        for r in registrations where r.spec.effect != .pure {
            #expect(r.gated, "\(r.spec.fullName) is a \(r.spec.effect.rawValue) registered with ctx.function: it would skip the gate")
        }
        // Every effectful spec that has a host function is among the gated registrations.
        let gated = Set(registrations.filter(\.gated).map(\.spec.fullName))
        let hostNames = Set(registrations.map(\.spec.fullName))
        for lib in Libraries.all {
            for spec in lib.specs where spec.effect != .pure && hostNames.contains(spec.fullName) {
                #expect(gated.contains(spec.fullName), "\(spec.fullName)")
            }
        }
    }

    /// `function` refuses an effectful spec: recorded as ungated, and calling it raises a
    /// "unidesk bug" error instead of acting without the gate.
    @Test func functionRefusesAnEffectfulSpec() throws {
        let write = PrimitiveSpec(module: "oops", name: "write", summary: "", effect: .write, scope: "<x>")
        let called = Counter()
        let lib = HostLibrary(name: "oops", summary: "", specs: [write]) { ctx in
            [ctx.function(write) { _ in called.n += 1; return [] }]
        }
        let recipe = try TempRecipe(["recipe.lua": #"require("unidesk.oops").write()"#])
        var o = EngineOptions()
        o.color = false
        o.stateDirectory = recipe.state
        try o.policy.add(allow: ["*"], deny: [])
        let report = Engine(options: o, libraries: Libraries.all + [lib]).run(recipePath: "\(recipe.dir)/recipe.lua")
        #expect(report.exitCode != .ok)
        #expect(report.error?.message.contains("unidesk bug: unidesk.oops.write is a write registered with function()") == true,
                "\(report.error?.message ?? "no error")")
        #expect(called.n == 0)
    }

    /// One gated call per item, each with the spec's capability and its own scope: a grant
    /// for one item does not cover the other, and `permits` answers per scope.
    @Test func gatedEachMakesOneRecordPerItemWithTheSpecsCapability() throws {
        let touch = PrimitiveSpec(module: "each", name: "touch", summary: "", params: [Param("names", .array(.string), "")],
                                  effect: .write, scope: "<name>")
        let lib = HostLibrary(name: "each", summary: "", specs: [touch]) { ctx in
            [ctx.gatedEach(touch) { args, gate in
                var out: [LuaValue] = []
                for name in try args.table(0).array.compactMap(\.stringValue) {
                    let allowed = gate.permits(scope: name)
                    let r: LuaValue = try gate.call(scope: name, arguments: .array([.string(name)]), target: .object([("name", .string(name))]),
                                                    perform: { .string("done \(name)") }, plan: { Gate.Planned(.string("planned")) })
                    out.append(.table(LuaTable(fields: [("allowed", .bool(allowed)), ("result", r)])))
                }
                return [.table(LuaTable(array: out))]
            }]
        }
        let recipe = try TempRecipe(["recipe.lua": #"""
            local each = require("unidesk.each")
            local ok, err = pcall(each.touch, { "a", "b" })
            unidesk.output("ok", ok)
            unidesk.output("kind", type(err) == "table" and err.kind or "")
            """#])
        var o = EngineOptions()
        o.color = false
        o.stateDirectory = recipe.state
        try o.policy.add(allow: ["each.touch:a"], deny: [])
        let report = Engine(options: o, libraries: Libraries.all + [lib]).run(recipePath: "\(recipe.dir)/recipe.lua")
        let records = report.audit.filter { $0.primitive == "unidesk.each.touch" }
        #expect(records.map(\.capability) == ["each.touch:a", "each.touch:b"])
        #expect(records.map(\.outcome) == [.ok, .denied])
        #expect(records.first?.target == .object([("name", .string("a"))]))
        #expect(report.outputs.first { $0.0 == "kind" }?.1 == .string("denied"))
    }

    /// Digesting every read is a per-call cost: a run whose records nobody reads (no
    /// report, not a plan) skips it; a run with --report, and a plan, record it.
    @Test func readsAreDigestedOnlyWhereSomethingReadsTheRecords() throws {
        let recipe = try TempRecipe(["recipe.lua": #"require("unidesk.fs").read("data.txt")"#, "data.txt": "hello"])
        func digest(_ r: RunReport) -> String? { r.audit.first { $0.primitive == "unidesk.fs.read" }?.fingerprint }
        #expect(digest(try recipe.run()) == nil)
        #expect(digest(try recipe.run(.plan(offline: false))) != nil)
        var o = EngineOptions()
        o.color = false
        o.stateDirectory = recipe.state
        o.reportPath = "\(recipe.dir)/report.json"
        #expect(digest(Engine(options: o, libraries: Libraries.all).run(recipePath: "\(recipe.dir)/recipe.lua")) != nil)
    }

    /// A performed read records the digest of its result (SHA-256 of the canonical JSON),
    /// a write records none; both record their target.
    @Test func auditRecordsTargetAndReadFingerprint() throws {
        let recipe = try TempRecipe(["recipe.lua": #"""
            local fs = require("unidesk.fs")
            fs.read("data.txt")
            fs.write("out.txt", "x")
            """#, "data.txt": "hello"])
        let report = try recipe.run(allow: ["fs.write:*"], fingerprintReads: true)
        let read = try #require(report.audit.first { $0.primitive == "unidesk.fs.read" })
        // [ "hello" ] as canonical JSON: ["hello"]
        #expect(read.fingerprint == "sha256:" + Self.sha256(#"["hello"]"#))
        #expect(read.target == .string("data.txt"))
        #expect(read.json["fingerprint"] == .string(read.fingerprint ?? ""))
        #expect(read.json["target"] == .string("data.txt"))
        let write = try #require(report.audit.first { $0.primitive == "unidesk.fs.write" })
        #expect(write.fingerprint == nil)
        #expect(write.target == .string("out.txt"))
    }

    /// Bindings that know more than the scope describe their target as fields.
    @Test func targetsAreDataWhereTheBindingKnowsThem() throws {
        let recipe = try TempRecipe(["recipe.lua": #"""
            require("unidesk.state").set("shop/last-good", "1.0")
            require("unidesk.registry").head_many({ "127.0.0.1:1/team/app:1.4" })
            """#])
        let report = try recipe.run(.plan(offline: true), allow: ["state.set:*"])
        let set = try #require(report.audit.first { $0.primitive == "unidesk.state.set" })
        #expect(set.target == .object([("key", .string("shop/last-good"))]))
        let head = try #require(report.audit.first { $0.primitive == "unidesk.registry.head" })
        #expect(head.target == .object([("registry", .string("127.0.0.1:1")), ("repository", .string("team/app")), ("reference", .string("1.4"))]))
    }

    static func sha256(_ text: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let inPipe = Pipe(), outPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        try? p.run()
        inPipe.fileHandleForWriting.write(Data(text.utf8))
        try? inPipe.fileHandleForWriting.close()
        p.waitUntilExit()
        let out = String(decoding: outPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return String(out.prefix(64))
    }

    /// A fingerprint is stable: the same data gives the same digest whatever the key order.
    @Test func fingerprintIsCanonical() {
        let a = Gate.fingerprint(.object([("b", .int(1)), ("a", .string("x"))]))
        let b = Gate.fingerprint(.object([("a", .string("x")), ("b", .int(1))]))
        #expect(a != nil && a == b)
        #expect(a != Gate.fingerprint(.object([("a", .string("y")), ("b", .int(1))])))
    }
}

final class Counter: @unchecked Sendable { var n = 0 }
