/// A table type recipes receive or pass (an http response, a secret), declared once so the
/// reference describes it and the LuaLS stubs declare it: the language server then knows its
/// fields and methods instead of flagging correct code.
public struct StubClass: Sendable {
    /// The LuaLS class name, as `---@return` and `---@param` annotations write it.
    public let name: String
    public let summary: String
    public let fields: [Param]
    /// Methods called with `:`; `returns` is a LuaLS type.
    public let methods: [(name: String, returns: String, doc: String)]

    public init(name: String, summary: String, fields: [Param] = [], methods: [(name: String, returns: String, doc: String)] = []) {
        self.name = name
        self.summary = summary
        self.fields = fields
        self.methods = methods
    }
}
