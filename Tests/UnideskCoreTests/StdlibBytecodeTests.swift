import CLuaShim
import Foundation
import LuaRuntime
import Testing
@testable import UnideskCore

/// The prelude runs from bytecode compiled at build time (EmbedStdlibGenerator). The literal
/// it is carried in must give back exactly what Lua's compiler writes for the embedded source.
@Suite struct StdlibBytecodeTests {
    @Test func thePreludeBytecodeIsTheCompiledEmbeddedSource() throws {
        let source = try #require(EmbeddedStdlib.files["unidesk/_prelude.lua"])
        let embedded = try #require(Stdlib.bytecode("unidesk/_prelude.lua"))
        var text = source
        var length = 0
        var error = [CChar](repeating: 0, count: 256)
        let compiled = text.withUTF8 { b in
            b.withMemoryRebound(to: CChar.self) {
                ud_compile_to_bytecode($0.baseAddress, $0.count, "@stdlib/unidesk/_prelude.lua", &length, &error, error.count)
            }
        }
        let bytes = try #require(compiled)
        defer { free(bytes) }
        #expect(embedded == Array(UnsafeBufferPointer(start: bytes, count: length)))
        #expect(embedded.starts(with: [0x1b, 0x4c, 0x75, 0x61, 0x54]))   // "\eLuaT": Lua 5.4 bytecode
    }

    @Test func everyByteSurvivesTheLiteral() {
        // The generator's encoding of 0…255: printable ASCII as is, the rest as \u{XX}.
        var utf8: [UInt8] = []
        for b in 0...255 {
            let scalar = Unicode.Scalar(UInt8(b))
            utf8 += Array(String(Character(scalar)).utf8)
        }
        let decoded = utf8.withUnsafeBufferPointer { Stdlib.decodeBytecodeLiteral($0) }
        #expect(decoded == (0...255).map { UInt8($0) })
    }

    @Test func errorsInThePreludeStillNameItsLines() throws {
        // Line information is kept: a stdlib error is located in its file, as from source.
        let lua = try LuaState()
        let bytecode = try #require(Stdlib.bytecode("unidesk/_prelude.lua"))
        // Without its arguments the prelude fails on its first use of them.
        do {
            try lua.run(embedded: bytecode, chunkName: "@stdlib/unidesk/_prelude.lua")
            Issue.record("the prelude ran without its arguments")
        } catch {
            #expect("\(error.message)".contains("stdlib/unidesk/_prelude.lua:"), "\(error.message)")
        }
    }
}
