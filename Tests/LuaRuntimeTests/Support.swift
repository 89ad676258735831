@testable import LuaRuntime

/// A sandboxed state with host functions installed as globals under their last name part.
func state(with functions: [HostFunction] = [], memoryLimit: Int = 0) throws -> LuaState {
    let lua = try LuaState(memoryLimit: memoryLimit)
    for f in functions { try lua.setGlobal(String(f.name.split(separator: ".").last ?? ""), .function(f)) }
    return lua
}

extension LuaValue {
    var int: Int64? { if case .int(let i) = self { return i }; return nil }
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
}
