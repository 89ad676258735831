import CLua
import CLuaShim

/// The one C-callable entry point for every host function. It captures nothing (a
/// @convention(c) closure cannot); the function arrives as the closure's upvalue.
let hostDispatch: ud_dispatch_fn = { L, ctx in
    guard let L, let ctx, let hostPtr = ud_get_host(L) else { return Int32(UD_CALL_RAISE_WHERE) }
    let fn = Unmanaged<HostFunction>.fromOpaque(ctx).takeUnretainedValue()
    let state = Unmanaged<LuaState>.fromOpaque(hostPtr).takeUnretainedValue()
    let writer = ValueWriter(L: L, retain: state.retain)
    let reader = ValueReader(L: L)
    do {
        let argc = lua_gettop(L)
        var args: [LuaValue] = []
        args.reserveCapacity(Int(argc))
        if argc > 0 {
            for i in 1...argc {
                do { args.append(try reader.read(i)) } catch let error as HostError {
                    if case .message(let m) = error { throw HostError.argument(Int(i), m) }
                    throw error
                }
            }
        }
        let results = try fn.body(args)
        for r in results { writer.write(r) }
        return Int32(UD_CALL_OK)
    } catch let error as HostError {
        return raise(error, in: fn, writer: writer)
    } catch {
        return raise(.message("\(fn.name): internal error: \(error)"), in: fn, writer: writer)
    }
}

private func raise(_ error: HostError, in fn: HostFunction, writer: ValueWriter) -> Int32 {
    switch error {
    case .argument, .message:
        writer.write(.string(error.text(calling: fn.name)))
        return Int32(UD_CALL_RAISE_WHERE)
    case .structured(let kind, let message, let fields):
        var all: [(String, LuaValue)] = [("kind", .string(kind)), ("message", .string(message))]
        all += fields.filter { $0.0 != "kind" && $0.0 != "message" }
        writer.write(LuaTable(fields: all), errorMeta: true)
        return Int32(UD_CALL_RAISE)
    }
}
