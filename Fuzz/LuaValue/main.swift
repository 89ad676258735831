import FuzzSupport
import LuaRuntime
import UnideskCore
import UnideskData

// The Lua → data bridge (ValueReader, LuaData.toData) and json.encode's C encoder
// (json_encode.c), on a value a fixed Lua program builds from the input: each byte picks an
// operation (a small or extreme integer, a double from 8 raw bytes, a string that may not be
// UTF-8, a boolean, a nested table, closing one, a hole) and how it is keyed (next index,
// string key, integer key, float key). Beyond "no crash":
//  - describing conversion (the audit's) only fails on NaN or infinity;
//  - a value strict conversion accepts encodes as JSON and decodes back equal;
//  - the C encoder gives byte for byte what the Swift path gives (or both refuse);
//  - data → Lua → data is the identity.
let lua: LuaState
do { lua = try LuaState(memoryLimit: 256 << 20) } catch { violated("no Lua state: \(error)") }
let encode = HostFunction("encode", fastPath: .jsonEncode) { args in
    do {
        return [.string(try JSON.encode(LuaData.toData(args.first ?? .nil), options: .init(pretty: false, sortKeys: true)))]
    } catch {
        throw HostError.argument(1, "\(error)")
    }
}
let builder = """
local encode, s = ...
local stack, i, n = { {} }, 1, #s
local function byte() local b = s:byte(i) or 0; i = i + 1; return b end
while i <= n do
  local op = byte()
  local kind, keying = op % 8, (op // 8) % 4
  local t, v = stack[#stack], nil
  if kind == 0 then v = byte() - 128
  elseif kind == 1 then v = string.unpack("<d", s:sub(i, i + 7) .. string.rep("\\0", 8)); i = i + 8
  elseif kind == 2 then local len = byte() % 16; v = s:sub(i, i + len - 1); i = i + len
  elseif kind == 3 then v = byte() % 2 == 0
  elseif kind == 4 then v = {}; stack[#stack + 1] = v
  elseif kind == 5 then if #stack > 1 then stack[#stack] = nil end
  elseif kind == 6 then v = (byte() % 2 == 0) and math.maxinteger or math.mininteger
  end
  if kind ~= 5 then
    if keying == 0 then t[#t + 1] = v
    elseif keying == 1 then t[string.char(97 + byte() % 4)] = v
    elseif keying == 2 then t[byte() % 8] = v
    else t[(byte() % 4) + 0.5] = v end
  end
  if #stack > 64 then stack[#stack] = nil end
end
local root = stack[1]
local ok, text = pcall(encode, root)
return root, ok, ok and text or nil
"""
let identity = "return ..."

func hasNonFinite(_ value: LuaValue) -> Bool {
    switch value {
    case .number(let d): return !d.isFinite
    case .table(let t): return t.array.contains(where: hasNonFinite) || t.fields.contains { hasNonFinite($0.1) }
    default: return false
    }
}

runFuzzer { bytes in
    let results: [LuaValue]
    do {
        results = try lua.run(builder, chunkName: "=fuzz", args: [.function(encode), .bytes(bytes)])
    } catch {
        violated("the builder failed: \(error)")
    }
    guard results.count == 3 else { violated("the builder returned \(results.count) values") }
    let root = results[0]
    do { _ = try LuaData.toData(root, .describing) } catch {
        if !hasNonFinite(root) { violated("describing conversion failed: \(error)") }
    }
    let strict = try? LuaData.toData(root, .strict)
    let swiftText = strict.flatMap { try? JSON.encode($0, options: .init(pretty: false, sortKeys: true)) }
    let cText: String? = { if case .bool(true) = results[1], case .string(let s) = results[2] { return s }; return nil }()
    if cText != swiftText { violated("C encoder \(cText ?? "refuses"), Swift \(swiftText ?? "refuses")") }
    guard let strict else { return }
    if let swiftText {
        guard let decoded = try? JSON.decode(swiftText) else { violated("encoded value does not decode: \(swiftText)") }
        if decoded != strict { violated("JSON round trip changed the value: \(swiftText)") }
    }
    guard let back = try? lua.run(identity, chunkName: "=identity", args: [LuaData.toLua(strict)]).first,
          let again = try? LuaData.toData(back) else { violated("data → Lua → data failed") }
    if keysInByteOrder(again) != keysInByteOrder(strict) { violated("data → Lua → data changed the value") }
}
