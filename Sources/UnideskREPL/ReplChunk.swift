import LuaRuntime

/// What the lines typed so far are: a chunk to run, the start of one that continues on the
/// next line, or a syntax error. Decided by the Lua compiler alone (nothing runs).
public enum ReplChunk: Equatable {
    /// The code to run: `return <input>` for an expression (so its value prints), else the input.
    case run(String)
    case incomplete
    case syntaxError(LuaError)

    public static func == (a: ReplChunk, b: ReplChunk) -> Bool {
        switch (a, b) {
        case (.run(let x), .run(let y)): return x == y
        case (.incomplete, .incomplete): return true
        case (.syntaxError(let x), .syntaxError(let y)): return x.message == y.message
        default: return false
        }
    }

    /// An expression is run as `return <input>` so its value prints; otherwise the input
    /// as statements. A syntax error "near <eof>" means the input is not finished yet,
    /// unless `final` (the input ended): then it is the error.
    public static func classify(_ code: String, final: Bool, compiler lua: LuaState, chunkName: String) -> ReplChunk {
        // `=expr` as in LuaJIT's and Lua 5.1's REPLs: the value of the expression.
        if code.first == "=" {
            let asExpression = "return " + code.dropFirst()
            guard let error = lua.compileError(asExpression, chunkName: chunkName) else { return .run(asExpression) }
            return !final && error.message.hasSuffix("<eof>") ? .incomplete : .syntaxError(error)
        }
        let asExpression = "return " + code
        guard let exprError = lua.compileError(asExpression, chunkName: chunkName) else {
            return .run(asExpression)
        }
        guard let error = lua.compileError(code, chunkName: chunkName) else { return .run(code) }
        if !final && (error.message.hasSuffix("<eof>") || exprError.message.hasSuffix("<eof>")) {
            return .incomplete
        }
        // Rejected at its first token, the input was never a statement: the expression's
        // error says what is wrong ("1 +* 2": near '*', not near '1').
        if let r = error.message.range(of: "unexpected symbol near '", options: .backwards), error.message.hasSuffix("'") {
            let token = error.message[r.upperBound...].dropLast()
            if !token.isEmpty, code.drop(while: \.isWhitespace).hasPrefix(token) { return .syntaxError(exprError) }
        }
        return .syntaxError(error)
    }
}
