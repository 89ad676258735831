/// Plan mode's verification must never harm the server it verifies against: it waits a
/// bounded time for locks and for the statement (so a planned ALTER TABLE on a busy table
/// does not queue every later query on that table behind it), and it does not run what a
/// rollback cannot undo (a sequence advanced by nextval stays advanced).
public struct PlanLimits: Sendable, Equatable {
    /// Seconds the verification waits for a lock: SET LOCAL lock_timeout.
    public var lockTimeout: Double
    /// Seconds the verified statement may run: SET LOCAL statement_timeout.
    public var statementTimeout: Double

    public init(lockTimeout: Double = PlanLimits.defaults.lockTimeout, statementTimeout: Double = PlanLimits.defaults.statementTimeout) {
        self.lockTimeout = lockTimeout
        self.statementTimeout = statementTimeout
    }

    /// 2 s for a lock, 30 s for the statement.
    public static let defaults = PlanLimits(lockTimeout: 2, statementTimeout: 30)
    /// The largest value accepted (a day); the server's own limit is about 24 days.
    public static let maximum: Double = 86_400

    /// Why `seconds` is not a usable limit, or nil when it is.
    public static func problem(_ seconds: Double) -> String? {
        guard seconds.isFinite, seconds > 0, seconds <= maximum else {
            return "seconds greater than 0 and at most \(Int(maximum)) expected, got \(seconds.isFinite ? describe(seconds) : "\(seconds)") (plan verification always waits a bounded time)"
        }
        return nil
    }

    /// The settings for the verification's transaction, in whole milliseconds (at least 1:
    /// 0 would mean no limit to the server).
    var setLocal: String {
        "SET LOCAL lock_timeout = '\(Self.milliseconds(lockTimeout))ms'; SET LOCAL statement_timeout = '\(Self.milliseconds(statementTimeout))ms'"
    }

    static func milliseconds(_ seconds: Double) -> Int { max(1, Int((seconds * 1000).rounded())) }

    /// "2 s", "0.5 s".
    static func describe(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}

extension PGError {
    /// The verification gave up waiting (SQLSTATE 55P03 lock_not_available, or 57014 from
    /// the plan's statement_timeout): the statement was rolled back and is not verified.
    /// Nil for any other error, which stays an error as in a run.
    func planCancellation(_ limits: PlanLimits) -> PGError? {
        let why: String
        switch sqlstate {
        case "55P03" where kind == .sql:
            why = "lock not available (\(message); the plan waits at most plan_lock_timeout = \(PlanLimits.describe(limits.lockTimeout)) for a lock another session holds)"
        case "57014" where kind == .timeout && !cancelledByClient:   // not the call's own timeout: that stays an error
            why = "statement timeout (\(message); the plan lets a statement run at most plan_statement_timeout = \(PlanLimits.describe(limits.statementTimeout)))"
        default:
            return nil
        }
        var e = self
        e.kind = .sql
        e.message = "not verified: \(why); it was cancelled and rolled back"
        e.unverified = true
        return e
    }

    /// A statement plan mode does not run because a rollback would not undo it.
    static func advancesSequence(_ reason: String, _ s: SQLStatement, index: Int?) -> PGError {
        var e = PGError(.invalid, "not verified: \(reason); sequences are not rolled back, so plan mode did not run it")
        e.unverified = true
        e.statement = s.text
        e.statementIndex = index
        e.line = s.line
        return e
    }
}

extension PGConnection {
    /// Plan mode inside `conn:tx`: the statement runs in a savepoint under the plan's limits,
    /// so giving up on a lock rolls back only this statement and the transaction goes on
    /// (a run would have waited); the limits are put back as they were afterwards. Any
    /// other failure aborts the transaction, as it does in a run.
    func verifyInTransaction(_ sql: String, body: StatementBody, statements: [SQLStatement], options: StatementOptions,
                                     quotedRole role: String?, left: () -> Double) throws(PGError) -> PGResult {
        if let found = sequenceAdvance(in: statements, timeout: left()) {
            throw PGError.advancesSequence(found.reason, found.statement, index: statements.count > 1 ? found.index : nil)
        }
        _ = try execute("SAVEPOINT unidesk_plan", timeout: left())
        do {
            let saved = try currentLimits(left())
            _ = try execute(options.planLimits.setLocal, timeout: left())
            let previous = role == nil ? nil : try currentRoleSetting(left())
            if let role { _ = try execute("SET LOCAL ROLE \(role)", timeout: left()) }
            let r = try send(sql, body, timeout: left()).last ?? PGResult(command: "", affected: nil, columns: [], rows: [])
            if let name = options.role, let previous {
                try verifyRole(name, left())
                _ = try execute("SET LOCAL ROLE \(previous)", timeout: left())
            }
            try restoreLimits(saved, left())
            return r
        } catch {
            if let e = error.planCancellation(options.planLimits) {
                if isOpen { _ = try? execute("ROLLBACK TO SAVEPOINT unidesk_plan; RELEASE SAVEPOINT unidesk_plan", timeout: max(left(), 2)) }
                throw e
            }
            throw error
        }
    }

    /// lock_timeout and statement_timeout as they are now, for `restoreLimits`.
    func currentLimits(_ timeout: Double) throws(PGError) -> [PGValue] {
        let r = try execute("SELECT current_setting('lock_timeout'), current_setting('statement_timeout')", timeout: timeout)
        return r.last?.rows.first ?? []
    }

    /// Puts the limits back (SET LOCAL values would outlive the savepoint's release) and
    /// releases the plan's savepoint.
    func restoreLimits(_ saved: [PGValue], _ timeout: Double) throws(PGError) {
        if saved.count == 2 {
            _ = try execute("SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)", parameters: saved, timeout: timeout)
        }
        _ = try execute("RELEASE SAVEPOINT unidesk_plan", timeout: timeout)
    }

    /// The first statement of `statements` that would advance or set a sequence, with the
    /// reason ("would advance sequence public.items_id_seq: a row added to public.items draws
    /// column id's default from it"). Asks the catalog which filled tables draw a column default from a sequence
    /// (serial, identity, or a DEFAULT nextval(…)). Throws nothing of its own: a lookup the
    /// server refuses finds nothing, and the statement then fails on its own when verified.
    func sequenceAdvance(in statements: [SQLStatement], timeout: Double) -> (reason: String, statement: SQLStatement, index: Int)? {
        for (i, s) in statements.enumerated() {
            let use = SequenceUse(s.text)
            if let call = use.calls.first {
                let name = call.sequence.map { qualifiedSequenceName($0, timeout) ?? $0 }
                let verb = call.function == "setval" ? "set" : "advance"
                return (name.map { "would \(verb) sequence \($0): the statement calls \(call.function)" }
                            ?? "would \(verb) a sequence: the statement calls \(call.function)", s, i + 1)
            }
            for table in use.filledTables {
                if let found = sequenceFeeding(table, timeout) {
                    return ("would advance sequence \(found.sequence): a row added to \(found.table) draws column \(found.column)'s default from it", s, i + 1)
                }
            }
        }
        return nil
    }

    /// "public.items_id_seq" for a sequence written as 'items_id_seq'.
    private func qualifiedSequenceName(_ written: String, _ timeout: Double) -> String? {
        let rows = quietly(timeout) { () throws(PGError) in
            try execute("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)",
                        parameters: [.text(written)], timeout: timeout)
        }
        guard case .text(let name)? = rows?.last?.rows.first?.first else { return nil }
        return name
    }

    /// The first sequence a column default of `table` draws from: a default that depends on
    /// a sequence (serial, DEFAULT nextval('s')) or an identity column's own sequence.
    private func sequenceFeeding(_ table: String, _ timeout: Double) -> (sequence: String, table: String, column: String)? {
        let sql = """
            SELECT format('%I.%I', sn.nspname, s.relname), format('%I.%I', tn.nspname, t.relname), a.attname::text
            FROM pg_class t
            JOIN pg_namespace tn ON tn.oid = t.relnamespace
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
            JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.classid IN ('pg_attrdef'::regclass, 'pg_class'::regclass)
            JOIN pg_class s ON s.relkind = 'S' AND s.oid = CASE WHEN d.classid = 'pg_attrdef'::regclass THEN d.refobjid ELSE d.objid END
            JOIN pg_namespace sn ON sn.oid = s.relnamespace
            WHERE t.oid = to_regclass($1)
              AND ((d.classid = 'pg_attrdef'::regclass
                    AND d.objid = (SELECT ad.oid FROM pg_attrdef ad WHERE ad.adrelid = t.oid AND ad.adnum = a.attnum))
                OR (a.attidentity <> '' AND d.classid = 'pg_class'::regclass AND d.deptype = 'i'
                    AND d.refobjid = t.oid AND d.refobjsubid = a.attnum))
            ORDER BY a.attnum LIMIT 1
            """
        let rows = quietly(timeout) { () throws(PGError) in try execute(sql, parameters: [.text(table)], timeout: timeout) }
        guard let row = rows?.last?.rows.first, row.count == 3,
              case .text(let sequence) = row[0], case .text(let name) = row[1], case .text(let column) = row[2] else { return nil }
        return (sequence, name, column)
    }

    /// A catalog read that must not disturb the caller's transaction: inside one, it runs
    /// in a savepoint rolled back on failure (an error would abort the transaction). Nil
    /// when the server refused it or the transaction has already failed.
    private func quietly(_ timeout: Double, _ read: () throws(PGError) -> [PGResult]) -> [PGResult]? {
        switch transactionState {
        case .idle:
            return try? read()
        case .inTransaction:
            guard (try? execute("SAVEPOINT unidesk_plan_check", timeout: timeout)) != nil else { return nil }
            do {
                let r = try read()
                _ = try execute("RELEASE SAVEPOINT unidesk_plan_check", timeout: timeout)
                return r
            } catch {
                if isOpen { _ = try? execute("ROLLBACK TO SAVEPOINT unidesk_plan_check; RELEASE SAVEPOINT unidesk_plan_check", timeout: timeout) }
                return nil
            }
        case .failed, .unknown:
            return nil
        }
    }
}
