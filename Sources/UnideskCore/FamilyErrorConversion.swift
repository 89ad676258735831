import LuaRuntime
import UnideskData

extension HostError {
    /// The one conversion of a family's error to the Lua error table {kind, message, …}:
    /// the family's fields as Lua values, then `extra` (what only the binding knows, the
    /// URL asked for). Every string passes the redactor: a message or a field may quote
    /// what a server echoed back.
    public static func family(_ e: some FamilyError, redactor: Redactor, extra: [(String, LuaValue)] = []) -> HostError {
        .structured(kind: e.errorKind, message: redactor.scrub(e.errorMessage),
                    fields: e.errorFields.map { ($0.0, LuaData.toLua(redactor.scrub($0.1))) } + extra)
    }

    /// The same table as a value, for primitives that return `nil, err` instead of raising.
    public static func familyTable(_ e: some FamilyError, redactor: Redactor) -> LuaValue {
        guard case .structured(let kind, let message, let fields) = family(e, redactor: redactor) else { return .nil }
        return .table(LuaTable(fields: [("kind", .string(kind)), ("message", .string(message))] + fields))
    }

}

extension RunContext {
    /// A family's error as this run raises it (redacted with the run's secrets).
    public func error(_ e: some FamilyError, extra: [(String, LuaValue)] = []) -> HostError {
        .family(e, redactor: redactor, extra: extra)
    }

    /// Runs a family call; its typed error is raised as the Lua error table.
    public func run<T, E: FamilyError>(_ body: () throws(E) -> T) throws -> T {
        do { return try body() } catch { throw self.error(error) }
    }
}
