import FuzzSupport
import LuaRuntime
import UnideskCore
import UnideskData

// unidesk.json.decode's C decoder (CLuaShim json.c, the fast path Lua calls first) against the
// Swift decoder it must agree with. The host function is built like JSONBinding's: the C path,
// and for what it hands over, JSON.decode. Beyond "no crash": on valid UTF-8 the two accept the
// same texts and give the same value (integers stay integers, doubles bit-equal, null the
// sentinel), read back through ValueReader.
let lua: LuaState
do { lua = try LuaState(memoryLimit: 256 << 20) } catch { violated("no Lua state: \(error)") }
let decode = HostFunction("decode", fastPath: .jsonDecode) { args in
    guard case .string(let text) = args.first ?? .nil else { throw HostError.argument(1, "string expected") }
    return [LuaData.toLua(try JSON.decode(text))]
}
let program = "local decode, text = ...\nlocal ok, value = pcall(decode, text)\nif ok then return true, value end\nreturn false"

runFuzzer { bytes in
    guard let text = utf8Text(bytes) else { return }
    let expected = try? JSON.decode(text)
    let results: [LuaValue]
    do { results = try lua.run(program, chunkName: "=fuzz", args: [.function(decode), .string(text)]) } catch {
        if let expected, nesting(expected) >= 99 { return }   // deeper than ValueReader reads
        violated("Lua run failed: \(error)")
    }
    guard case .bool(let ok)? = results.first else { violated("no status from the chunk") }
    if ok != (expected != nil) { violated("C decoder \(ok ? "accepts" : "refuses") what JSON.decode \(ok ? "refuses" : "accepts")") }
    guard let expected, results.count > 1 else { return }
    let viaC: DataValue
    do { viaC = try LuaData.toData(results[1]) } catch { violated("decoded value does not convert back: \(error)") }
    let viaSwift = (try? LuaData.toData(LuaData.toLua(expected))) ?? .null
    if keysInByteOrder(viaC) != keysInByteOrder(viaSwift) {
        violated("C decoder gives \((try? JSON.encode(viaC)) ?? "?"), Swift \((try? JSON.encode(viaSwift)) ?? "?")")
    }
}
