import LuaRuntime

extension LuaValue {
    /// What every network read returns under `plan --offline`, where nothing is sent: one
    /// table, `{planned = true, unknown = true}`. A recipe asks `if r.unknown then … end`;
    /// fields it does not have read as nil (so `r.exists` is falsy) and it iterates as an
    /// empty list, so code written for the real answer does not crash on it.
    public static var unknownRead: LuaValue { unknown() }

    /// The same value with the fields a plan does know (a planned write's result: the image
    /// compose.recreate would run, but not the container it would make). A recipe branches
    /// on `r.unknown` where the unknown part decides (verifying what runs).
    public static func unknown(_ known: [(String, LuaValue)] = []) -> LuaValue {
        .table(LuaTable(fields: [("planned", .bool(true)), ("unknown", .bool(true))] + known))
    }
}

extension Gate.Planned where T == [LuaValue] {
    /// A network read under `plan --offline`: the documented unknown value, nothing sent.
    public static var offlineRead: Gate.Planned<[LuaValue]> {
        Gate.Planned([.unknownRead], detail: .string("offline: not read"), verdict: .unknown)
    }
}
