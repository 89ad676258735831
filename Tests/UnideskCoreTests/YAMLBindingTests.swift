import Testing
@testable import UnideskCore
import UnideskBindings

/// Messages of unidesk.yaml speak Lua: they name the recipe's functions, not the Swift ones.
@Suite struct YAMLBindingTests {
    @Test func decodingSeveralDocumentsNamesTheLuaFunctionForThem() throws {
        let t = try TempRecipe(["recipe.lua": #"require("unidesk.yaml").decode("a: 1\n---\nb: 2\n")"# + "\n"])
        let r = try t.run()
        let message = r.error?.message ?? ""
        #expect(r.error?.kind == "invalid")
        #expect(message.contains("found several (second document at line 3, column 1); use yaml.decode_all for a multi-document stream"), "\(message)")
        #expect(!message.contains("YAML.decodeAll"))
    }
}
