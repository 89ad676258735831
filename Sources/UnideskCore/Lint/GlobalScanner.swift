/// Finds what a Lua file does with globals, the way luacheck does: a recursive-descent pass
/// over the tokens that knows every scope (locals, parameters, for variables, `local
/// function`, method `self`, nested blocks, `repeat … until` seeing the block's locals), so
/// a name that no scope declares is a global. It also collects literal `require "x"` calls.
///
/// Rules (documented in docs/sandbox.md, `unidesk check`):
/// - reading a global the sandbox does not define, and the file does not assign at its top
///   level, is reported (`undefined global 'io'`), once per use;
/// - reading a field a sandbox library table lacks (`string.dump`) is reported;
/// - assigning an unknown global inside a function is reported (declare it `local`, or assign
///   it at the top level, which makes it the file's own).
struct GlobalScanner {
    struct Finding: Equatable, CustomStringConvertible {
        let line: Int
        let message: String
        var description: String { "\(line): \(message)" }
    }

    struct Result {
        var findings: [Finding] = []
        /// Literal `require "name"` calls of the global require, with their line.
        var requires: [(line: Int, name: String)] = []
        /// False when the walk met a construct it does not know (then `findings` is empty).
        var complete = true
    }

    /// `sandbox`: each global the sandbox defines → the field names it has when it is a
    /// table whose fields are fixed (nil: anything goes).
    static func scan(_ source: String, sandbox: [String: Set<String>?]) -> Result {
        let parser = Parser(LuaLexer.tokens(source))
        do { try parser.chunk() } catch {
            // The file compiled, so this is a gap in this parser: report nothing rather than
            // guesses built on a partial walk.
            return Result(findings: [], requires: parser.requires, complete: false)
        }
        var findings: [Finding] = []
        let own = parser.topLevelAssigned
        for r in parser.reads where !own.contains(r.name) {
            guard let fields = sandbox[r.name] else {
                findings.append(Finding(line: r.line, message: "undefined global '\(r.name)'"))
                continue
            }
            if let field = r.field, let fields, !fields.contains(field) {
                findings.append(Finding(line: r.line, message: "undefined field '\(r.name).\(field)'"))
            }
        }
        for s in parser.nestedAssigned where !own.contains(s.name) && sandbox[s.name] == nil {
            findings.append(Finding(line: s.line, message: "setting undefined global '\(s.name)' inside a function (declare it local, or assign it at the top level)"))
        }
        findings.sort { $0.line < $1.line }
        return Result(findings: findings, requires: parser.requires)
    }
}

private struct Stop: Error {}

private final class Parser {
    struct Read { let name: String; let line: Int; let field: String? }

    private let t: [LuaToken]
    private var p = 0
    private var scopes: [Set<String>] = [["_ENV"]]
    private var functionDepth = 0
    private(set) var reads: [Read] = []
    private(set) var topLevelAssigned: Set<String> = []
    private(set) var nestedAssigned: [(name: String, line: Int)] = []
    private(set) var requires: [(line: Int, name: String)] = []

    init(_ tokens: [LuaToken]) { t = tokens }

    // MARK: tokens

    private var tok: LuaToken { t[p] }
    private func peekToken(_ k: Int) -> LuaToken { t[min(p + k, t.count - 1)] }
    private func isSym(_ s: String) -> Bool { tok.kind == .symbol && tok.text == s }
    private func isKw(_ s: String) -> Bool { tok.kind == .keyword && tok.text == s }
    @discardableResult private func advance() -> LuaToken {
        let x = t[p]
        if p < t.count - 1 { p += 1 }
        return x
    }
    private func accept(_ s: String) -> Bool {
        if isSym(s) { advance(); return true }
        return false
    }
    private func expectSym(_ s: String) throws { guard accept(s) else { throw Stop() } }
    private func expectKw(_ s: String) throws {
        guard isKw(s) else { throw Stop() }
        advance()
    }
    private func expectName() throws -> LuaToken {
        guard tok.kind == .name else { throw Stop() }
        return advance()
    }

    // MARK: scopes

    private func declare(_ name: String) { scopes[scopes.count - 1].insert(name) }
    private func isLocal(_ name: String) -> Bool { scopes.contains { $0.contains(name) } }
    private func scoped(_ body: () throws -> Void) rethrows {
        scopes.append([])
        defer { scopes.removeLast() }
        try body()
    }

    private func read(_ name: LuaToken, field: String? = nil) {
        if !isLocal(name.text) { reads.append(Read(name: name.text, line: name.line, field: field)) }
    }

    private func assign(_ name: LuaToken) {
        guard !isLocal(name.text) else { return }
        if functionDepth == 0 { topLevelAssigned.insert(name.text) } else { nestedAssigned.append((name.text, name.line)) }
    }

    // MARK: statements

    func chunk() throws {
        try block()
        guard tok.kind == .eof else { throw Stop() }
    }

    private var atBlockEnd: Bool {
        tok.kind == .eof || (tok.kind == .keyword && ["end", "else", "elseif", "until"].contains(tok.text))
    }

    private func block() throws {
        while !atBlockEnd {
            if isKw("return") {
                advance()
                if !atBlockEnd && !isSym(";") { try exprList() }
                _ = accept(";")
                return
            }
            try statement()
        }
    }

    private func statement() throws {
        if accept(";") { return }
        if accept("::") { _ = try expectName(); try expectSym("::"); return }
        guard tok.kind == .keyword else { return try exprStatement() }
        switch advance().text {
        case "break": return
        case "goto": _ = try expectName()
        case "do":
            try scoped { try block() }
            try expectKw("end")
        case "while":
            try expr()
            try expectKw("do")
            try scoped { try block() }
            try expectKw("end")
        case "repeat":
            try scoped {                       // `until` sees the block's locals
                try block()
                try expectKw("until")
                try expr()
            }
        case "if":
            try expr()
            try expectKw("then")
            try scoped { try block() }
            while isKw("elseif") {
                advance()
                try expr()
                try expectKw("then")
                try scoped { try block() }
            }
            if isKw("else") {
                advance()
                try scoped { try block() }
            }
            try expectKw("end")
        case "for": try forStatement()
        case "function": try functionStatement()
        case "local":
            if isKw("function") {
                advance()
                declare(try expectName().text)  // visible in its own body: recursion
                try functionBody(method: false)
                return
            }
            var names: [String] = []
            repeat {
                names.append(try expectName().text)
                if accept("<") { _ = try expectName(); try expectSym(">") }   // <const>, <close>
            } while accept(",")
            if accept("=") { try exprList() }    // before the names exist: `local x = x`
            names.forEach(declare)
        default: throw Stop()
        }
    }

    private func forStatement() throws {
        let first = try expectName().text
        if accept("=") {
            try expr()
            try expectSym(",")
            try expr()
            if accept(",") { try expr() }
            try expectKw("do")
            try scoped { declare(first); try block() }
        } else {
            var names = [first]
            while accept(",") { names.append(try expectName().text) }
            try expectKw("in")
            try exprList()
            try expectKw("do")
            try scoped { names.forEach(declare); try block() }
        }
        try expectKw("end")
    }

    /// `function a.b.c:m() … end` reads `a`; `function f() … end` assigns `f`.
    private func functionStatement() throws {
        let name = try expectName()
        var field: String?
        var method = false
        while accept(".") {
            let f = try expectName().text
            if field == nil { field = f }
        }
        if accept(":") {
            let m = try expectName().text
            if field == nil { field = m }
            method = true
        }
        if let field { read(name, field: field) } else { assign(name) }
        try functionBody(method: method)
    }

    private func functionBody(method: Bool) throws {
        try expectSym("(")
        functionDepth += 1
        defer { functionDepth -= 1 }
        try scoped {
            if method { declare("self") }
            while !isSym(")") {
                if !accept("...") { declare(try expectName().text) }
                if !accept(",") { break }
            }
            try expectSym(")")
            try block()
            try expectKw("end")
        }
    }

    private func exprStatement() throws {
        var targets = [try suffixedExpr()]
        guard isSym("=") || isSym(",") else {
            if let bare = targets[0] { read(bare) }   // not a call: cannot compile; keep going
            return
        }
        while accept(",") { targets.append(try suffixedExpr()) }
        try expectSym("=")
        try exprList()
        for case let name? in targets { assign(name) }
    }

    // MARK: expressions

    private func exprList() throws {
        repeat { try expr() } while accept(",")
    }

    private static let binary: Set<String> = ["+", "-", "*", "/", "//", "%", "^", "..", "==", "~=", "<", "<=", ">", ">=", "&", "|", "~", "<<", ">>"]
    private static let unary: Set<String> = ["-", "#", "~"]

    private func expr() throws {
        try operand()
        while (tok.kind == .symbol && Self.binary.contains(tok.text)) || isKw("and") || isKw("or") {
            advance()
            try operand()
        }
    }

    private func operand() throws {
        while (tok.kind == .symbol && Self.unary.contains(tok.text)) || isKw("not") { advance() }
        switch tok.kind {
        case .number, .string: advance()
        case .keyword where ["nil", "true", "false"].contains(tok.text): advance()
        case .keyword where tok.text == "function":
            advance()
            try functionBody(method: false)
        case .symbol where tok.text == "...": advance()
        case .symbol where tok.text == "{": try table()
        default:
            if let bare = try suffixedExpr() { read(bare) }
        }
    }

    /// A name or parenthesised expression with its suffixes (fields, indexes, calls). Returns
    /// the name when it stands alone (an assignment target, or a value the caller reads);
    /// otherwise the reads are recorded here.
    private func suffixedExpr() throws -> LuaToken? {
        var bare: LuaToken?
        if tok.kind == .name {
            bare = advance()
        } else if accept("(") {
            try expr()
            try expectSym(")")
        } else {
            throw Stop()
        }
        while true {
            if accept(".") {
                let field = try expectName().text
                if let b = bare { read(b, field: field); bare = nil }
            } else if isSym("[") {
                if let b = bare { read(b); bare = nil }
                advance()
                try expr()
                try expectSym("]")
            } else if accept(":") {
                let method = try expectName().text
                if let b = bare { read(b, field: method); bare = nil }
                try callArguments()
            } else if isSym("(") || isSym("{") || tok.kind == .string {
                if let b = bare {
                    noteRequire(b)
                    read(b)
                    bare = nil
                }
                try callArguments()
            } else {
                return bare
            }
        }
    }

    /// `require "x"`, `require 'x'`, `require [[x]]`, `require("x")` of the global require.
    private func noteRequire(_ callee: LuaToken) {
        guard callee.text == "require", !isLocal("require") else { return }
        if tok.kind == .string {
            requires.append((callee.line, tok.text))
        } else if isSym("("), peekToken(1).kind == .string, peekToken(2) == LuaToken(kind: .symbol, text: ")", line: peekToken(2).line) {
            requires.append((callee.line, peekToken(1).text))
        }
    }

    private func callArguments() throws {
        if tok.kind == .string { advance(); return }
        if isSym("{") { return try table() }
        try expectSym("(")
        if !isSym(")") { try exprList() }
        try expectSym(")")
    }

    private func table() throws {
        try expectSym("{")
        while !isSym("}") {
            if accept("[") {
                try expr()
                try expectSym("]")
                try expectSym("=")
                try expr()
            } else if tok.kind == .name, peekToken(1).kind == .symbol, peekToken(1).text == "=" {
                advance()                         // a key, not a variable
                advance()
                try expr()
            } else {
                try expr()
            }
            if !accept(",") && !accept(";") { break }
        }
        try expectSym("}")
    }
}
