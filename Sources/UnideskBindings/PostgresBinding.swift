import LuaRuntime
import UnideskCore
import UnideskData
import UnideskPostgres

/// `require "unidesk.pg"`: statements as a role, with the outcome a recipe branches on.
/// The connection object, tx() and the one-shot pg.exec are stdlib Lua (stdlib/unidesk/pg.lua)
/// over these host functions.
public enum PostgresBinding {
    /// A connection of this run; offline plans keep only the names (nothing is sent).
    final class Slot {
        let connection: PGConnection?
        let database: String
        let user: String
        /// How plan mode's verification waits on this connection, unless a call says otherwise.
        let planLimits: PlanLimits
        init(connection: PGConnection?, database: String, user: String, planLimits: PlanLimits) {
            self.connection = connection
            self.database = database
            self.user = user
            self.planLimits = planLimits
        }
    }

    public static let library = HostLibrary(
        name: "pg", summary: "PostgreSQL: statements and migration scripts as a role, errors with their SQLSTATE, plan mode verified by rollback.",
        specs: PostgresSpecs.all
    ) { ctx in
        var slots: [Int64: Slot] = [:]
        var nextHandle: Int64 = 1
        /// Clean-up statements a stdlib module registered (migrate's scratch database):
        /// run at the end of the run unless withdrawn, so a run ended by its deadline or an
        /// error that Lua could not handle still drops what it created.
        var finalizers: [(key: String, slot: Slot, statements: [String])] = []
        ctx.atEnd { for s in slots.values { s.connection?.close() }; slots = [:] }
        ctx.atEnd {
            for f in finalizers.reversed() {
                guard let c = f.slot.connection, ctx.mode == .run else { continue }
                for sql in f.statements {
                    _ = try? ctx.gate(for: PostgresSpecs.exec).call(scope: "\(f.slot.database)@\(f.slot.user)",
                                           arguments: .array([.string(sql), .string("at the end of the run")]),
                                           perform: { () throws -> Bool in
                                               do { _ = try c.run(sql, options: StatementOptions(timeout: 10)) } catch let e as PGError { throw ctx.error(e) }
                                               return true
                                           }, plan: { Gate.Planned(false) })
                }
            }
            finalizers = []
        }

        func timeout(_ requested: Double?, _ family: TimeoutDefault = Timeouts.pgStatement) -> Double { ctx.timeout(requested, family) }

        /// A method: argument 1 is the connection handle the Lua wrapper passes for self.
        func method(_ spec: PrimitiveSpec, _ body: @escaping (Slot, [LuaValue], SpecGate) throws -> [LuaValue]) -> HostFunction {
            ctx.gatedEach(spec, method: true) { all, gate in
                guard case .int(let h) = all.first ?? .nil, let slot = slots[h] else {
                    throw spec.receiverMissing
                }
                return try body(slot, Array(all.dropFirst()), gate)
            }
        }

        /// A statement through the gate; a failed statement comes back as nil, err.
        /// `compared`: what a saved plan compares when it is not `arguments` (a script's text,
        /// which the audit leaves out).
        func statement(_ gate: SpecGate, slot: Slot, role: String?, readOnly: Bool, arguments: [LuaValue], compared: [LuaValue]? = nil,
                       batch: AuditRecord.Batch? = nil, verdict: @escaping (LuaValue) -> Verdict = verifiedVerdict,
                       offlineValue: LuaValue, run: @escaping (PGConnection, _ rollback: Bool) throws(PGError) -> LuaValue) throws -> [LuaValue] {
            let scope = "\(slot.database)@\(role ?? slot.user)"
            do {
                let v: LuaValue = try gate.call(scope: scope, arguments: gate.audit(arguments),
                                                    effect: readOnly ? .read : .write,
                                                    target: .object([("database", .string(slot.database)), ("role", .string(role ?? slot.user))]),
                                                    compare: gate.comparable(compared ?? arguments), batch: batch,
                                                    perform: {
                                                        guard let c = slot.connection else { return offlineValue }
                                                        do throws(PGError) { return try run(c, false) } catch { throw ctx.error(error) }
                                                    },
                                                    plan: {
                                                        guard let c = slot.connection, !ctx.mode.isOfflinePlan else {
                                                            return Gate.Planned(offlineValue, detail: .string("offline: not run"))
                                                        }
                                                        do throws(PGError) {
                                                            let v = try run(c, true)
                                                            return Gate.Planned(v, detail: .string("verified by rollback"), verdict: verdict(v))
                                                        } catch {
                                                            // Not run (no transaction possible, a sequence would advance) or
                                                            // given up on (a lock, the plan's statement timeout): unverified.
                                                            guard error.unverified else { throw ctx.error(error) }
                                                            return Gate.Planned(.table(LuaTable(fields: [("planned", .bool(true)), ("verified", .bool(false)), ("reason", .string(error.message))])),
                                                                                detail: .string(error.message))
                                                        }
                                                    })
                return [v]
            } catch HostError.structured(let kind, let message, let fields) where kind == "sql" || kind == "invalid" {
                return [.nil, .table(LuaTable(fields: [("kind", .string(kind)), ("message", .string(message))] + fields))]
            }
        }

        return [
            ctx.gatedEach(PostgresSpecs.connect) { args, gate in
                let dsn: String
                if case .secret(let s) = args.value(0) { dsn = s.reveal() } else { dsn = try args.string(0) }
                ConnInfo.passwordForms(in: dsn).forEach { ctx.redactor.register($0) }
                let info: ConnInfo
                do { info = try ConnInfo(parsing: dsn) } catch let e as PGError { throw HostError.argument(1, e.message) }
                let o = try args.optionalTable(1)
                let database = o?["database"].stringValue
                let limits = try planLimits(o, over: .defaults, argument: 2)
                let overrides = database.map { ["dbname": $0] } ?? [:]
                let scope = info.scope(overrides: overrides, environment: ctx.environment)
                let slot: Slot = try gate.call(scope: scope, arguments: gate.audit(args),
                    perform: {
                        do {
                            let c = try PGConnection.connect(dsn, overrides: overrides.map { ($0.key, $0.value) },
                                                             timeout: timeout(o?.number("timeout"), Timeouts.pgConnect))
                            if let p = c.password { ctx.redactor.register(p) }
                            c.preparesRepeatedStatements = o?.bool("prepare_repeated", default: true) ?? true
                            return Slot(connection: c, database: c.database, user: c.user, planLimits: limits)
                        } catch let e as PGError { throw ctx.error(e) }
                    },
                    plan: {
                        let parts = scope.split(separator: "@", maxSplits: 1).map(String.init)
                        return Gate.Planned(Slot(connection: nil, database: parts.first ?? "", user: parts.last ?? "", planLimits: limits),
                                            detail: .string("offline: not connected"))
                    })
                let handle = nextHandle
                nextHandle += 1
                slots[handle] = slot
                return [.table(LuaTable(fields: [("handle", .int(handle)), ("database", .string(slot.database)), ("user", .string(slot.user)),
                                                 ("server", .string(slot.connection?.server ?? "offline"))]))]
            },
            method(PostgresSpecs.exec) { slot, args, gate in
                let o = try args.optionalTable(2)
                let params = try parameters(args.value(1))
                let sql = try args.string(0)
                let stmt = StatementOptions(role: o?["role"].stringValue, readOnly: o?.bool("read_only", default: false) ?? false,
                                            timeout: timeout(o?.number("timeout")), planLimits: try planLimits(o, over: slot.planLimits, argument: 4))
                return try statement(gate, slot: slot, role: stmt.role, readOnly: stmt.readOnly, arguments: args,
                                     offlineValue: .table(LuaTable(fields: [("planned", .bool(true))]))) { c, rollback throws(PGError) in
                    var s = stmt
                    s.rollback = rollback && !stmt.readOnly
                    return resultValue(try c.run(sql, parameters: params, options: s), notices: c.takeNotices())
                }
            },
            method(PostgresSpecs.query) { slot, args, gate in
                let o = try args.optionalTable(2)
                let params = try parameters(args.value(1))
                let sql = try args.string(0)
                let stmt = StatementOptions(role: o?["role"].stringValue, readOnly: o?.bool("read_only", default: true) ?? true,
                                            timeout: timeout(o?.number("timeout")), planLimits: try planLimits(o, over: slot.planLimits, argument: 4))
                return try statement(gate, slot: slot, role: stmt.role, readOnly: stmt.readOnly, arguments: args,
                                     offlineValue: stmt.readOnly ? .unknownRead : .table(LuaTable(fields: [("planned", .bool(true))]))) { c, rollback throws(PGError) in
                    var s = stmt
                    s.rollback = rollback && !stmt.readOnly
                    return rowsValue(try c.run(sql, parameters: params, options: s))
                }
            },
            method(PostgresSpecs.execMany) { slot, args, gate in
                let o = try args.optionalTable(2)
                let sql = try args.string(0)
                // Argument numbers as Lua counts them, self first (the spec's check says the same).
                guard case .table(let list) = args.value(1) else { throw HostError.argument(3, "rows: a list of parameter lists expected") }
                let rows = try list.array.enumerated().map { i, row throws -> [PGValue] in
                    guard case .table = row else { throw HostError.argument(3, "rows[\(i + 1)]: a list of parameters expected, got \(row.typeName)") }
                    return try parameters(row, argument: 3, path: "rows[\(i + 1)]") ?? []
                }
                let stmt = StatementOptions(role: o?["role"].stringValue, timeout: timeout(o?.number("timeout")),
                                            planLimits: try planLimits(o, over: slot.planLimits, argument: 4))
                // The audit and the plan show the statement once with the row count; a saved
                // plan compares every row.
                let audited: [LuaValue] = [.string(sql), .table(LuaTable(fields: [("rows", .int(Int64(rows.count)))]))] + Array(args.dropFirst(2))
                return try statement(gate, slot: slot, role: stmt.role, readOnly: false, arguments: audited, compared: args,
                                     batch: AuditRecord.Batch(count: rows.count, noun: "row"), verdict: { batchVerdict($0, sql: sql) },
                                     offlineValue: .table(LuaTable(fields: [("planned", .bool(true))]))) { c, rollback throws(PGError) in
                    var s = stmt
                    s.rollback = rollback
                    let r = try c.runBatch(sql, rows: rows, options: s)
                    var f: [(String, LuaValue)] = [("command", .string(r.command)), ("statements", .int(Int64(rows.count))),
                                                   ("affected", .int(Int64(r.affected ?? 0)))]
                    let notices = c.takeNotices()
                    if !notices.isEmpty { f.append(("notices", .table(LuaTable(array: notices.map { .string($0) })))) }
                    return .table(LuaTable(fields: f))
                }
            },
            method(PostgresSpecs.script) { slot, args, gate in
                let o = try args.optionalTable(1)
                let sql = try args.string(0)
                let name = o?["name"].stringValue
                let stmt = StatementOptions(role: o?["role"].stringValue, timeout: timeout(o?.number("timeout")),
                                            planLimits: try planLimits(o, over: slot.planLimits, argument: 3))
                // The audit names the script; a saved plan compares its text (a digest when long).
                return try statement(gate, slot: slot, role: stmt.role, readOnly: false, arguments: [.string(name ?? "<script>")] + Array(args.dropFirst()),
                                     compared: args,
                                     offlineValue: .table(LuaTable(fields: [("planned", .bool(true))]))) { c, rollback throws(PGError) in
                    var s = stmt
                    s.rollback = rollback
                    let out = try c.runScript(sql, name: name, options: s)
                    return .table(LuaTable(fields: [("statements", .int(Int64(out.statements))), ("transactional", .bool(out.transactional))]))
                }
            },
            // tx() is stdlib Lua over these three; they are not effects of their own.
            HostFunction("unidesk.pg.connection:_begin") { all in
                guard case .int(let h) = all.first ?? .nil, let slot = slots[h] else { throw HostError.argument(1, "connection expected") }
                guard let c = slot.connection else { return [] }
                do { try c.begin(timeout: timeout(nil)) } catch let e as PGError { throw ctx.error(e) }
                return []
            },
            HostFunction("unidesk.pg.connection:_commit") { all in
                guard case .int(let h) = all.first ?? .nil, let slot = slots[h] else { throw HostError.argument(1, "connection expected") }
                guard let c = slot.connection else { return [.bool(true)] }
                do { try c.commit(rollback: ctx.mode != .run, timeout: timeout(nil)) } catch let e as PGError {
                    if e.kind == .sql { return [.nil, HostError.familyTable(e, redactor: ctx.redactor)] }
                    throw ctx.error(e)
                }
                return [.bool(true)]
            },
            HostFunction("unidesk.pg.connection:_rollback") { all in
                guard case .int(let h) = all.first ?? .nil, let slot = slots[h] else { throw HostError.argument(1, "connection expected") }
                slot.connection?.rollbackTransaction(timeout: timeout(nil, Timeouts.pgRollback))
                return []
            },
            HostFunction("unidesk.pg.connection:_finally") { all in
                guard case .int(let h) = all.first ?? .nil, let slot = slots[h], all.count >= 3,
                      let key = all[1].stringValue, let list = all[2].tableValue else { throw HostError.argument(1, "connection, key and statements expected") }
                finalizers.removeAll { $0.key == key }
                finalizers.append((key, slot, list.array.compactMap(\.stringValue)))
                return []
            },
            HostFunction("unidesk.pg.connection:_finally_done") { all in
                guard let key = all.dropFirst().first?.stringValue else { throw HostError.argument(2, "key expected") }
                finalizers.removeAll { $0.key == key }
                return []
            },
            method(PostgresSpecs.close) { slot, _, _ in
                slot.connection?.close()
                return []
            },
        ]
    }

    /// plan_lock_timeout / plan_statement_timeout from an options table, over `base`; a
    /// value that is not a bounded positive number of seconds is a bad argument naming it.
    static func planLimits(_ o: LuaTable?, over base: PlanLimits, argument: Int) throws -> PlanLimits {
        var limits = base
        let fields: [(String, WritableKeyPath<PlanLimits, Double>)] = [("plan_lock_timeout", \.lockTimeout), ("plan_statement_timeout", \.statementTimeout)]
        for (key, path) in fields {
            guard let seconds = o?.number(key) else { continue }
            if let why = PlanLimits.problem(seconds) { throw HostError.argument(argument, "field '\(key)': \(why)") }
            limits[keyPath: path] = seconds
        }
        return limits
    }

    /// What a write verified in a rolled-back transaction would do: the server's command tag
    /// ("UPDATE 3"), or unchanged when a DML statement touched no row.
    static func verifiedVerdict(_ v: LuaValue) -> Verdict {
        guard let t = v.tableValue else { return .change([]) }
        if let command = t["command"].stringValue {
            let verb = command.split(separator: " ").first.map(String.init) ?? ""
            if case .int(0) = t["affected"], ["INSERT", "UPDATE", "DELETE", "MERGE"].contains(verb) { return .unchanged }
            return .change([command])
        }
        if case .int(let n) = t["statements"] { return .change(["\(n) statement\(n == 1 ? "" : "s") of the script"]) }
        return .change(["\(t.array.count) row\(t.array.count == 1 ? "" : "s") returned"])
    }

    /// What a batch verified in a rolled-back transaction would do, with its statement:
    /// "INSERT 10000 in 10000 rows: INSERT INTO t (id) VALUES ($1)", or unchanged when DML
    /// touched no row.
    static func batchVerdict(_ v: LuaValue, sql: String) -> Verdict {
        guard let t = v.tableValue, let command = t["command"].stringValue, case .int(let n) = t["statements"] else { return .change([]) }
        let affected: Int64
        if case .int(let a) = t["affected"] { affected = a } else { affected = 0 }
        if affected == 0, ["INSERT", "UPDATE", "DELETE", "MERGE"].contains(command) { return .unchanged }
        let oneLine = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let shown = oneLine.count > 120 ? String(oneLine.prefix(119)) + "…" : oneLine
        return .change(["\(command) \(affected) in \(n) row\(n == 1 ? "" : "s"): \(shown)"])
    }

    static func parameters(_ v: LuaValue, argument: Int = 2, path: String = "params") throws -> [PGValue]? {
        guard case .table(let t) = v else { return nil }
        return try t.array.enumerated().map { i, e in
            switch e {
            case .nil, .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let n): return .int(n)
            case .number(let d): return .double(d)
            case .string(let s): return .text(s)
            case .bytes(let b): return .bytes(b)
            case .secret(let s): return .text(s.reveal())
            case .table:
                do { return .json(try LuaData.toData(e, path: "\(path)[\(i + 1)]")) } catch let err as LuaData.ConversionError { throw HostError.argument(argument, err.description) }
            default: throw HostError.argument(argument, "\(path)[\(i + 1)]: a \(e.typeName) cannot be sent as a parameter")
            }
        }
    }

    static func cell(_ v: PGValue) -> LuaValue {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .number(d)
        case .text(let s): return .string(s)
        case .bytes(let b): return .bytes(b)
        case .json(let d): return LuaData.toLua(d)
        }
    }

    static func rowsValue(_ r: PGResult) -> LuaValue {
        .table(LuaTable(array: r.rows.map { row in
            .table(LuaTable(fields: zip(r.columns, row).map { ($0.name, cell($1)) }))
        }))
    }

    static func resultValue(_ r: PGResult, notices: [String]) -> LuaValue {
        var f: [(String, LuaValue)] = [("command", .string(r.command)), ("rows", rowsValue(r))]
        if let a = r.affected { f.append(("affected", .int(Int64(a)))) }
        if !notices.isEmpty { f.append(("notices", .table(LuaTable(array: notices.map { .string($0) })))) }
        return .table(LuaTable(fields: f))
    }
}
