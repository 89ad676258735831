/// A Swift function callable from Lua. Its body receives the converted arguments and
/// returns the results; it never touches the Lua stack, so it can never raise across a
/// Swift frame: errors are thrown as `HostError` and raised by C after it has returned.
// @unchecked: a state and its host functions are confined to the thread that runs Lua.
public final class HostFunction: @unchecked Sendable {
    /// Full Lua-facing name, used in error messages: "unidesk.fs.read".
    public let name: String
    public let body: ([LuaValue]) throws -> [LuaValue]

    /// A fast path in C that Lua calls instead, handing `body` what it does not handle.
    public let fastPath: FastPath?

    public init(_ name: String, fastPath: FastPath? = nil, _ body: @escaping ([LuaValue]) throws -> [LuaValue]) {
        self.name = name
        self.fastPath = fastPath
        self.body = body
    }

    /// The same function, called through `fastPath` first.
    public func with(fastPath: FastPath) -> HostFunction {
        HostFunction(name, fastPath: fastPath, body)
    }

    /// A C function in front of a host function: it does the common case on the Lua stack
    /// (no conversion to Swift values and back) and calls the host function, unchanged
    /// arguments and all, for everything else, errors included, so both give one behaviour.
    public enum FastPath: Sendable {
        /// json.decode: builds the Lua values as it parses (CLuaShim's json.c).
        case jsonDecode
        /// json.encode: writes the JSON text from the Lua value (CLuaShim's json_encode.c).
        case jsonEncode
    }
}

/// How a host function fails, as the recipe sees it.
public enum HostError: Error {
    /// Misuse: raises "file:line: bad argument #n to 'name' (message)".
    case argument(Int, String)
    /// Raises "file:line: message" (a plain string error).
    case message(String)
    /// Raises a structured error table {kind=, message=, ...} readable with pcall.
    case structured(kind: String, message: String, fields: [(String, LuaValue)] = [])
}

extension HostError: CustomStringConvertible {
    /// The text a user reads (logs, the audit): never Swift's debug form of the case.
    public var description: String { text(calling: nil) }

    /// The error's text as raised from the function named `name` ("unidesk.state.set").
    public func text(calling name: String?) -> String {
        switch self {
        case .argument(let n, let why): return "bad argument #\(n)\(name.map { " to '\($0)'" } ?? "") (\(why))"
        case .message(let m): return m
        case .structured(_, let m, _): return m
        }
    }
}
