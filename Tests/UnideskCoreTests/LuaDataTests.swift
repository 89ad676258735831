import LuaRuntime
import Testing
import UnideskData
@testable import UnideskCore

/// `LuaData.toData` is the one Lua → data conversion: JSON, state and outputs (strict), the
/// audit journal and a recording's arguments (describing), a recording's results (masking).
@Suite struct LuaDataTests {
    let mixed = LuaValue.table(LuaTable(array: [.int(1), .string("b")], fields: [("name", .string("x"))]))
    let secret = LuaValue.secret(Secret("hunter2"))
    let function = LuaValue.function(HostFunction("f") { _ in [] })

    @Test func strictRefusesWhatIsNotData() {
        for (value, message) in [(secret, "value is a secret: secrets cannot be encoded"),
                                 (function, "value: cannot encode a function"),
                                 (mixed, "value: table mixes a sequence and string keys")] {
            #expect(thrownError(LuaData.ConversionError.self) { try LuaData.toData(value) }?.description == message)
        }
    }

    @Test func describingKeepsEveryPartOfAMixedTable() throws {
        // The audit's arguments and a recording's call key see the same value: the sequence
        // under "1", "2", … and the fields, not the fields alone.
        #expect(try LuaData.toData(mixed, .describing) == .object([("1", .int(1)), ("2", .string("b")), ("name", .string("x"))]))
        #expect(try LuaData.toData(.table(LuaTable(array: [secret, function])), .describing) == .array([.string("<secret>"), .string("<function>")]))
    }

    @Test func maskingSecretsStillRefusesFunctionsAndMixedTables() throws {
        #expect(try LuaData.toData(secret, .maskingSecrets, path: "result 1") == .string("<secret>"))
        #expect(thrownError(LuaData.ConversionError.self) { try LuaData.toData(function, .maskingSecrets, path: "result 1") }?.description
                == "result 1: cannot encode a function")
        #expect(thrownError(LuaData.ConversionError.self) { try LuaData.toData(mixed, .maskingSecrets, path: "result 1") } != nil)
    }

    @Test func auditArgumentsUseTheDescribingConversion() {
        let audited = LuaData.auditArguments([mixed], redactor: Redactor())
        #expect(audited == .array([.object([("1", .int(1)), ("2", .string("b")), ("name", .string("x"))])]))
    }
}
