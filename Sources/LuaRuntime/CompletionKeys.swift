import CLua
import CLuaShim
#if canImport(Glibc)
import Glibc
#endif

/// A name the REPL may complete, as the live state holds it.
public struct CompletionKey: Equatable, Sendable {
    public let name: String
    public let isFunction: Bool

    public init(name: String, isFunction: Bool) {
        self.name = name
        self.isFunction = isFunction
    }
}

/// Collects what ud_completion_keys emits (called inside its protected call: no Lua here).
private final class KeyCollector {
    var keys: [CompletionKey] = []
}

private let collectKey: ud_key_emit = { ctx, key, len, type in
    guard let ctx, let key else { return }
    let collector = Unmanaged<KeyCollector>.fromOpaque(ctx).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: key, count: len)
    guard let name = String(validating: bytes, as: UTF8.self) else { return }
    collector.keys.append(CompletionKey(name: name, isFunction: type == LUA_TFUNCTION))
}

extension LuaState {
    /// The string keys of the value at `path` from the globals (`[]`: the globals themselves;
    /// `["string"]`: the string table), including those its metatable's __index tables
    /// provide; nil when the path leads to nil. Reads only: no function, metamethod or
    /// __index function of the session runs, and nothing raises.
    public func completionKeys(path: [String]) -> [CompletionKey]? {
        let collector = KeyCollector()
        let cPath = path.map { strdup($0) }
        defer { cPath.forEach { free($0) } }
        let found = cPath.map { UnsafePointer($0) }.withUnsafeBufferPointer { p in
            ud_completion_keys(L, p.baseAddress, Int32(path.count), collectKey,
                               Unmanaged.passUnretained(collector).toOpaque())
        }
        // Running out of memory under --max-memory trips the cap: that belongs to no input.
        if tripped != nil { resetLimits() }
        return found == 1 ? collector.keys : nil
    }
}
