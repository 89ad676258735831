import CLua
import CLuaShim
import CSystem

/// Which sandbox limit fired.
public enum LuaLimit: Sendable, Equatable {
    case deadline, memory, interrupt
}

/// One sandboxed Lua 5.4 state: a fresh one per run. Not thread-safe: create, use and
/// close it on one thread (the deadline timer signals that thread).
public final class LuaState {
    let L: OpaquePointer
    private var retained: [ObjectIdentifier: HostFunction] = [:]
    private var closed = false

    /// Creates the state with the sandbox's libraries. `memoryLimit` 0 = no cap.
    public init(memoryLimit: Int = 0) throws(LuaError) {
        guard let L = ud_newstate(memoryLimit, hostDispatch) else {
            throw LuaError(message: "cannot create a Lua state (out of memory)")
        }
        self.L = L
        ud_set_host(L, Unmanaged.passUnretained(self).toOpaque())
        let rc = ud_open_sandbox(L)
        if rc != LUA_OK { throw popError(rc) }
    }

    deinit { close() }

    /// Closes the state, running pending finalizers (bounded by the deadline, if armed).
    public func close() {
        guard !closed else { return }
        closed = true
        ud_close(L)
        retained.removeAll()
    }

    /// Ends a one-shot run's state without running finalizers (see `ud_abandon`). The
    /// state's memory stays allocated until the process exits.
    public func abandon() {
        guard !closed else { return }
        closed = true
        ud_abandon(L)
    }

    func retain(_ f: HostFunction) { retained[ObjectIdentifier(f)] = f }

    // MARK: limits

    public var memoryUsed: Int { ud_mem_used(L) }
    public var memoryPeak: Int { ud_mem_peak(L) }
    public var memoryLimit: Int { ud_mem_limit(L) }

    public var tripped: LuaLimit? {
        switch ud_tripped(L) {
        case UD_LIMIT_DEADLINE: return .deadline
        case UD_LIMIT_MEMORY: return .memory
        case UD_LIMIT_INTERRUPT: return .interrupt
        default: return nil
        }
    }

    /// Arms the deadline for the calling thread; see `ud_deadline_start`.
    public func startDeadline(seconds: Double, hardGrace: Double, hardStopMessage: String, hardStopExitCode: Int32) -> Bool {
        ud_deadline_start(L, seconds, hardGrace, hardStopMessage, hardStopExitCode) == 0
    }

    /// Files the hard stop writes before it ends the process (at most 2).
    public static func setHardStopFiles(_ files: [(path: String, content: String)]) {
        _ = ud_hardstop_add_file(nil, nil, 0)
        for f in files {
            var body = f.content
            body.withUTF8 { b in
                b.withMemoryRebound(to: CChar.self) { _ = ud_hardstop_add_file(f.path, $0.baseAddress, $0.count) }
            }
        }
    }

    /// Why a hard stop happens: the deadline, or a stop signal.
    public enum HardStopReason: Int32, CaseIterable, Sendable {
        case deadline = 0, sigterm = 1, sigint = 2
        /// "SIGTERM", "SIGINT" (nil for the deadline).
        public var signalName: String? { self == .sigterm ? "SIGTERM" : self == .sigint ? "SIGINT" : nil }
    }

    /// Files the hard stop writes for each reason, replacing all registered before.
    /// `inPlace`: written over the file (truncated) rather than renamed into place.
    public static func setHardStopFiles(_ byReason: [HardStopReason: [(path: String, content: String, inPlace: Bool)]]) {
        _ = ud_hardstop_add_file_for(0, nil, nil, 0, 0)
        for (reason, files) in byReason {
            for f in files {
                var body = f.content
                body.withUTF8 { b in
                    b.withMemoryRebound(to: CChar.self) { _ = ud_hardstop_add_file_for(reason.rawValue, f.path, $0.baseAddress, $0.count, f.inPlace ? 1 : 0) }
                }
            }
        }
    }

    /// The run's real reports are written: a later hard stop keeps them.
    public static func hardStopFilesWritten() { ud_hardstop_files_written() }

    /// Makes SIGTERM/SIGINT stop the run (see `ud_stop_install`); call from the Lua thread.
    public static func installStopHandlers(grace: Double, exitCode: Int32, message: (String) -> String) -> Bool {
        ud_stop_install(grace, exitCode, message("SIGTERM"), message("SIGINT")) == 0
    }

    /// The signal that asked the process to stop ("SIGTERM", "SIGINT"), or nil.
    public static var stopSignal: String? {
        ud_stop_signal() == 0 ? nil : String(cString: ud_stop_signal_name())
    }

    /// The end of a run: waits are no longer cut short by a stop (clean-up is bounded by
    /// its own timeouts and the stop grace), or (false) a new run begins.
    public static func setCleanupPhase(_ on: Bool) { ud_stop_set_cleanup(on ? 1 : 0) }

    /// Disarms the deadline timers (closing the state does this too).
    public func stopDeadline() { if !closed { ud_deadline_stop(L) } }
    public var deadlineRemaining: Double { closed ? 0 : ud_deadline_remaining(L) }
    public func interrupt() { if !closed { ud_interrupt(L) } }
    /// Checks the limits at the script's next instruction: a host call that waited until the
    /// deadline makes the script stop there, whenever the timer's signal arrives.
    public func checkLimitsSoon() { if !closed { ud_check_limits_soon(L) } }
    /// Clears a fired limit and disarms the deadline: for the REPL only, never for a run.
    public func resetLimits() { if !closed { ud_reset_limits(L) } }

    // MARK: running code

    /// Stack height, for tests that assert every host call leaves the stack balanced.
    public var stackTop: Int32 { lua_gettop(L) }
    /// Bytes the queue of host results keeps allocated between calls, for tests.
    var hostResultCapacity: Int { ud_out_capacity(L) }

    /// Loads a text chunk and calls it with `args` under a traceback handler.
    @discardableResult
    public func run(_ code: String, chunkName: String, args: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        let top = lua_gettop(L)
        try pushValues(args)
        var code = code
        let rc = code.withUTF8 { b in
            b.withMemoryRebound(to: CChar.self) {
                ud_load_and_call(L, $0.baseAddress, $0.count, chunkName, 0, Int32(args.count), LUA_MULTRET)
            }
        }
        if rc != LUA_OK { throw popError(rc, restoring: top) }
        return popResults(from: top)
    }

    /// Loads a chunk given as bytes (a recipe file as it is on disk: Lua source is bytes, and
    /// a string literal holding bytes that are not UTF-8 must reach Lua unchanged).
    @discardableResult
    public func run(bytes code: [UInt8], chunkName: String, args: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        try call(code, args: args) { L, chunk, count, nargs in
            ud_load_and_call(L, chunk, count, chunkName, 0, nargs, LUA_MULTRET)
        }
    }

    /// Runs bytecode that unidesk's own build compiled with this same Lua (the stdlib's,
    /// never a recipe's: recipes' chunks are always loaded as text).
    @discardableResult
    public func run(embedded bytecode: [UInt8], chunkName: String, args: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        try call(bytecode, args: args) { L, chunk, count, nargs in
            ud_load_embedded_and_call(L, chunk, count, chunkName, nargs, LUA_MULTRET)
        }
    }

    /// Pushes `args`, has `loadAndCall` load `chunk` and call it with them, and returns its
    /// results (or throws its error, the stack as it was).
    private func call(_ chunk: [UInt8], args: [LuaValue],
                      _ loadAndCall: (OpaquePointer, UnsafePointer<CChar>?, Int, Int32) -> Int32) throws(LuaError) -> [LuaValue] {
        let top = lua_gettop(L)
        try pushValues(args)
        let rc = chunk.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { loadAndCall(L, $0.baseAddress, $0.count, Int32(args.count)) }
        }
        if rc != LUA_OK { throw popError(rc, restoring: top) }
        return popResults(from: top)
    }

    /// Calls the function the trusted prelude kept under `name` (a host-only hook, such as the
    /// REPL's reload of the recipe's modules) and returns its results.
    @discardableResult
    public func callKept(_ name: String, args: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        let top = lua_gettop(L)
        try pushValues(args)
        let rc = ud_call_kept(L, name, Int32(args.count), LUA_MULTRET)
        if rc != LUA_OK { throw popError(rc, restoring: top) }
        return popResults(from: top)
    }

    /// Compiles bytes without running; nil when the chunk is valid Lua.
    public func compileError(bytes code: [UInt8], chunkName: String) -> LuaError? {
        let rc = code.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { ud_compile(L, $0.baseAddress, $0.count, chunkName) }
        }
        return rc == LUA_OK ? nil : popError(rc)
    }

    /// Compiles without running; nil when the chunk is valid Lua.
    public func compileError(_ code: String, chunkName: String) -> LuaError? {
        var code = code
        let rc = code.withUTF8 { b in
            b.withMemoryRebound(to: CChar.self) { ud_compile(L, $0.baseAddress, $0.count, chunkName) }
        }
        return rc == LUA_OK ? nil : popError(rc)
    }

    /// Sets a global variable (protected: a failure is thrown, never raised).
    public func setGlobal(_ name: String, _ value: LuaValue) throws(LuaError) {
        _ = try run("local name, value = ...; _G[name] = value", chunkName: "=(host)", args: [.string(name), value])
    }

    private func pushValues(_ values: [LuaValue]) throws(LuaError) {
        guard !values.isEmpty else { return }
        let top = lua_gettop(L)
        let writer = ValueWriter(L: L, retain: retain)
        for v in values { writer.write(v) }
        let rc = ud_flush_out(L)
        if rc != LUA_OK { throw popError(rc, restoring: top) }
    }

    private func popResults(from top: Int32) -> [LuaValue] {
        let n = lua_gettop(L)
        var out: [LuaValue] = []
        let reader = ValueReader(L: L)
        if n > top {
            for i in (top + 1)...n { out.append((try? reader.read(i)) ?? .opaque("table")) }
        }
        lua_settop(L, top)
        return out
    }

    func popError(_ rc: Int32, restoring top: Int32? = nil) -> LuaError {
        let v = (try? ValueReader(L: L).read(-1)) ?? .string("(unreadable error value)")
        let rendersItself = ud_has_tostring(L, -1) != 0
        if let top { lua_settop(L, top) } else { ud_pop(L, 1) }
        return LuaError(status: LuaError.Status(rc), value: v, rendersItself: rendersItself)
    }
}
