import LuaRuntime

/// The Lua-facing type of a parameter, a field or a result.
public indirect enum LuaType: Sendable {
    case string, integer, number, boolean, any, function
    /// A string or a secret (a password may arrive either way).
    case stringOrSecret
    /// A table with named fields; unknown fields are refused.
    case record([Param])
    /// A sequence of one element type.
    case array(LuaType)
    /// A table with string keys and values of one type.
    case map(LuaType)
    case oneOf([LuaType])

    /// As Lua error messages and LuaLS annotations write it.
    public var luaName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .number: return "number"
        case .boolean: return "boolean"
        case .any: return "any"
        case .function: return "function"
        case .stringOrSecret: return "string|secret"
        case .record: return "table"
        case .array(let t): return "\(t.luaName)[]"
        case .map(let t): return "table<string, \(t.luaName)>"
        case .oneOf(let ts): return ts.map(\.luaName).joined(separator: "|")
        }
    }
}

/// A parameter or a record field.
public struct Param: Sendable {
    public let name: String
    public let type: LuaType
    public let optional: Bool
    public let doc: String

    public init(_ name: String, _ type: LuaType, optional: Bool = false, _ doc: String) {
        self.name = name
        self.type = type
        self.optional = optional
        self.doc = doc
    }
}

/// The one description of a primitive. It drives argument checking at call time, the
/// Markdown reference in docs/ and the LuaLS `---@meta` stubs, so they cannot drift.
public struct PrimitiveSpec: Sendable {
    /// What the name holds: a function to call, a method of the objects a module returns
    /// (`conn:exec(…)`), or a value to read (`json.null`, `unidesk.vars`), rendered without
    /// parentheses in the reference and as `---@type` in stubs.
    public enum Shape: Sendable, Equatable {
        case function
        /// A method of this class of the module ("connection": `unidesk.pg.connection:exec`);
        /// called with its object first, which the checks count as argument #1.
        case method(of: String)
        /// A value of this LuaLS type.
        case value(type: String)
    }

    /// Module under `unidesk.` ("fs"); empty for functions on the `unidesk` table itself.
    public let module: String
    public let name: String
    public let summary: String
    public let params: [Param]
    /// LuaLS return annotations: (type, name, doc).
    public let returns: [(type: String, name: String, doc: String)]
    public let effect: EffectClass
    /// How the capability scope is formed, e.g. "<path relative to the state dir>".
    public let scope: String?
    /// Failure modes, one line each ("raises kind=denied when …").
    public let errors: [String]
    public let example: String
    /// The capability's operation when several functions share one ("pg.exec" for exec,
    /// query and script); nil means "<module>.<name>".
    let capability: String?
    public let shape: Shape

    /// A value on a module or the `unidesk` table rather than a function.
    public static func value(module: String, name: String, type: String, summary: String, example: String = "") -> PrimitiveSpec {
        PrimitiveSpec(module: module, name: name, shape: .value(type: type), summary: summary, example: example)
    }

    /// What a network read returns under `plan --offline` when it is not the unknown value
    /// every other read returns (pg.connect: a connection that sends nothing).
    public let offlineResult: String?

    /// What a write returns to the script under `unidesk plan`, which does not perform it
    /// (compose.recreate: the image it would run, the container's fields unknown); nil when
    /// the reference has nothing to add to `returns`.
    public let plannedResult: String?

    public init(module: String, name: String, shape: Shape = .function, summary: String, params: [Param] = [],
                returns: [(type: String, name: String, doc: String)] = [],
                effect: EffectClass = .pure, scope: String? = nil, errors: [String] = [],
                example: String = "", capability: String? = nil, offlineResult: String? = nil,
                plannedResult: String? = nil) {
        self.capability = capability
        self.shape = shape
        self.offlineResult = offlineResult
        self.plannedResult = plannedResult
        self.module = module
        self.name = name
        self.summary = summary
        self.params = params
        self.returns = returns
        self.effect = effect
        self.scope = scope
        self.errors = errors
        self.example = example
        let member: String
        if case .method(let cls) = shape { member = "\(cls):\(name)" } else { member = name }
        memberName = member
        fullName = module.isEmpty ? "unidesk.\(member)" : "unidesk.\(module).\(member)"
        operation = capability ?? (module.isEmpty ? member : "\(module).\(member)")
    }

    // Stored, not computed: every gated call reads them (the audit record, the capability),
    // and building them was 1,300 instructions a call (callgrind, 2,000 INSERTs).
    /// The name within its module: "read", or "connection:exec" for a method.
    public let memberName: String
    /// "unidesk.fs.read", "unidesk.pg.connection:exec"
    public let fullName: String
    /// "fs.read": the capability's operation.
    public let operation: String

    /// A method called without its object (`conn.exec(sql)` for `conn:exec(sql)`).
    public var receiverMissing: HostError {
        guard case .method(let cls) = shape else { return .argument(1, "no object: \(fullName) is not a method") }
        return .argument(1, "\(cls) expected (call it as \(cls):\(name)(…))")
    }

    /// A method's call: its object (nil when it was called without one), then the
    /// arguments, numbered as Lua counts them (the object is #1).
    public func check(receiver: LuaValue, _ args: [LuaValue]) throws(HostError) {
        guard !receiver.isNil else { throw receiverMissing }
        do { try check(args) } catch {
            guard case .argument(let n, let why) = error else { throw error }
            throw .argument(n + 1, why)
        }
    }

    /// Checks arguments against the description; throws the Lua-style misuse error. A last
    /// parameter named "..." takes any number of values.
    public func check(_ args: [LuaValue]) throws(HostError) {
        let variadic = params.last?.name == "..."
        for (i, p) in params.enumerated() {
            if variadic && i == params.count - 1 { break }
            let v = i < args.count ? args[i] : .nil
            if v.isNil {
                if p.optional { continue }
                let got = i < args.count ? "nil" : "no value"
                throw .argument(i + 1, "\(p.type.luaName) expected, got \(got)")
            }
            if let why = Self.mismatch(v, p.type, path: "") { throw .argument(i + 1, why) }
        }
        if !variadic, args.count > params.count, args[params.count...].contains(where: { !$0.isNil }) {
            throw .argument(params.count + 1, "no such parameter: \(fullName) takes \(params.count) argument\(params.count == 1 ? "" : "s")")
        }
    }

    /// nil when `v` fits `t`; otherwise the message part of the bad-argument error.
    static func mismatch(_ v: LuaValue, _ t: LuaType, path: String) -> String? {
        let prefix = path.isEmpty ? "" : "field '\(path)': "
        func expected() -> String { "\(prefix)\(t.luaName) expected, got \(v.typeName)" }
        switch t {
        case .any: return nil
        case .string: if case .string = v { return nil }; if case .bytes = v { return nil }; return expected()
        case .stringOrSecret:
            switch v { case .string, .bytes, .secret: return nil; default: return expected() }
        case .integer:
            if case .int = v { return nil }
            if case .number(let d) = v, d.rounded() == d, abs(d) < 9.2e18 { return nil }
            if case .number = v { return "\(prefix)number has no integer representation" }
            return expected()
        case .number: switch v { case .int, .number: return nil; default: return expected() }
        case .boolean: if case .bool = v { return nil }; return expected()
        case .function: if case .opaque("function") = v { return nil }; return expected()
        case .record(let fields):
            guard case .table(let tbl) = v else { return expected() }
            for (k, _) in tbl.fields where !fields.contains(where: { $0.name == k }) {
                let known = fields.map(\.name).joined(separator: ", ")
                return "\(prefix)unknown field '\(path.isEmpty ? k : path + "." + k)' (known fields: \(known))"
            }
            if !tbl.array.isEmpty || tbl.otherKeys > 0 {
                return "\(prefix)table with named fields expected, got positional values"
            }
            for f in fields {
                let fv = tbl[f.name]
                let fpath = path.isEmpty ? f.name : "\(path).\(f.name)"
                if fv.isNil {
                    if f.optional { continue }
                    return "field '\(fpath)' is required (\(f.type.luaName))"
                }
                if let why = mismatch(fv, f.type, path: fpath) { return why }
            }
            return nil
        case .array(let et):
            guard case .table(let tbl) = v else { return expected() }
            if !tbl.fields.isEmpty || tbl.otherKeys > 0 { return "\(prefix)a sequence expected (a table with keys 1..n)" }
            if case .any = et { return nil }
            // The element's path only for the message: built for every element, it was most
            // of a bulk load's argument check (a parameter list per statement).
            for (i, e) in tbl.array.enumerated() where mismatch(e, et, path: "") != nil {
                return mismatch(e, et, path: "\(path)[\(i + 1)]")
            }
            return nil
        case .map(let vt):
            guard case .table(let tbl) = v else { return expected() }
            if !tbl.array.isEmpty || tbl.otherKeys > 0 { return "\(prefix)a table with string keys expected" }
            if case .any = vt { return nil }
            for (k, e) in tbl.fields where mismatch(e, vt, path: "") != nil {
                return mismatch(e, vt, path: path.isEmpty ? k : "\(path).\(k)")
            }
            return nil
        case .oneOf(let ts):
            if ts.contains(where: { mismatch(v, $0, path: path) == nil }) { return nil }
            return expected()
        }
    }
}
