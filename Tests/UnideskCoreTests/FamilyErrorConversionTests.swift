import Foundation
import LuaRuntime
import Testing
@testable import UnideskBindings
@testable import UnideskCore
@testable import UnideskCompose
import UnideskData
import UnideskFiles
@testable import UnideskHTTP
@testable import UnideskKube
import UnideskPostgres
import UnideskRegistry
import UnideskState

/// One family-error protocol, one conversion to the Lua error table; the table each family
/// raised before (kind, message, the same fields in the same order) is what it raises now.
@Suite struct FamilyErrorConversionTests {
    static func fields(_ e: HostError) -> (kind: String, message: String, fields: [(String, LuaValue)])? {
        guard case .structured(let k, let m, let f) = e else { return nil }
        return (k, m, f)
    }

    @Test func kubeConflictCarriesStatusAndCauses() throws {
        var e = KubeError(.conflict, "Apply failed with 1 conflict", status: 409)
        e.causes = [KubeError.Cause(field: ".spec.replicas", message: "conflict with \"kubectl\"", reason: "FieldManagerConflict", manager: "kubectl")]
        let t = try #require(Self.fields(.family(e, redactor: Redactor())))
        #expect(t.kind == "conflict")
        #expect(t.message == "Apply failed with 1 conflict")
        #expect(t.fields.map(\.0) == ["status", "causes"])
        #expect(try LuaData.toData(t.fields[0].1) == .int(409))
        let cause = try #require(t.fields[1].1.tableValue?.array.first?.tableValue)
        #expect(cause.fields.map(\.0) == ["field", "message", "reason", "manager"])
        #expect(cause["manager"].stringValue == "kubectl")
    }

    @Test func pgConnectionErrorAppendsTheHintAndKeepsTheFields() throws {
        var e = PGError(.network, "connection refused")
        e.hint = "is the server running?"
        let t = try #require(Self.fields(.family(e, redactor: Redactor())))
        #expect(t.message == "connection refused (is the server running?)")
        #expect(t.fields.map(\.0) == ["hint"])
        var sql = PGError(.sql, "permission denied for table t")
        sql.sqlstate = "42501"
        sql.hint = "grant it"
        let s = try #require(Self.fields(.family(sql, redactor: Redactor())))
        #expect(s.message == "permission denied for table t")
        #expect(s.fields.map(\.0) == ["sqlstate", "hint"])
        // The nil, err form: the same table as a value.
        let table = try #require(HostError.familyTable(sql, redactor: Redactor()).tableValue)
        #expect(table.fields.map(\.0) == ["kind", "message", "sqlstate", "hint"])
    }

    @Test func composeUnhealthyCarriesTheContainer() throws {
        var e = ComposeError(.unhealthy, "web never became healthy", stderr: "tail")
        let inspect = try JSON.decode(#"""
            {"Id": "abc", "Name": "/shop-web-1", "Image": "sha256:1",
             "Config": {"Image": "web:1", "Labels": {"com.docker.compose.service": "web", "com.docker.compose.project": "shop"}},
             "State": {"Status": "running", "Health": {"Status": "unhealthy", "Log": [{"Output": "curl: refused"}]}}}
            """#)
        e.container = try #require(ContainerState(inspect: inspect))
        let t = try #require(Self.fields(.family(e, redactor: Redactor())))
        #expect(t.fields.map(\.0) == ["stderr", "container", "health_output"])
        let container = try #require(t.fields[1].1.tableValue)
        // As compose.ps returns a container (ComposeBinding.container).
        #expect(try LuaData.toData(.table(container)) == (try LuaData.toData(ComposeBinding.container(e.container!))))
        #expect(t.fields[2].1.stringValue == "curl: refused")
    }

    @Test func everyStringIsRedacted() throws {
        let r = Redactor()
        r.register("hunter2secret")
        let e = RegistryError(kind: .unauthorized, message: "token hunter2secret refused", rateLimit: [("x-echo", "hunter2secret")], status: 401)
        let t = try #require(Self.fields(.family(e, redactor: r)))
        #expect(!t.message.contains("hunter2secret"))
        let limit = try #require(t.fields.first { $0.0 == "rate_limit" }?.1.tableValue)
        #expect(limit["x-echo"].stringValue?.contains("hunter2secret") == false)
    }

    @Test func fieldsTheBindingAddsComeLast() throws {
        let e = HTTPError(kind: .timeout, message: "no answer in 1 s")
        let t = try #require(Self.fields(.family(e, redactor: Redactor(), extra: [("url", .string("http://x/"))])))
        #expect(t.kind == "timeout")
        #expect(t.fields.map(\.0) == ["url"])
        let state = StateError(.busy, "held", holder: "unidesk pid 1 on ci")
        #expect(Self.fields(.family(state, redactor: Redactor()))?.fields.map(\.0) == ["holder"])
    }

    /// An argument that is not what the spec promised is a bug report, not a crash or "".
    @Test func accessorsThrowASpecBug() throws {
        let args: [LuaValue] = [.int(1), .nil]
        #expect(throws: SpecBug.self) { try args.string(0) }
        #expect(throws: SpecBug.self) { try args.table(1) }
        #expect(try args.optionalTable(1) == nil)
        #expect(try args.optionalString(1) == nil)
        do { _ = try args.string(0) } catch {
            #expect(error.description.hasPrefix("unidesk bug: argument #1 should be a string"))
        }
    }

    /// The one timeout helper: the call's own timeout or the family's default, never past
    /// the step's deadline, never under the family's minimum.
    @Test func timeoutHelperClampsToTheDeadlineAndTheMinimum() throws {
        let (session, recipe) = try GateByTypeTests.session()
        defer { session.finish(); _ = recipe }
        let ctx = session.context
        ctx.pushStepDeadline(seconds: 100)
        defer { ctx.popStepDeadline() }
        #expect(ctx.timeout(5, default: 30, minimum: 0.5) == 5)
        #expect(ctx.timeout(nil, default: 30, minimum: 0.5) == 30)
        #expect(ctx.timeout(0, default: 30, minimum: 0.5) == 0.5)
        #expect(ctx.timeout(1000, default: 30, minimum: 0.5) <= 100)
        #expect(ctx.timeout(nil, Timeouts.pgStatement) <= 100)
    }
}
