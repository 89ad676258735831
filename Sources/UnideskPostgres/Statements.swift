/// How one statement or script runs: as which role, read-only or not, kept or rolled back.
public struct StatementOptions: Sendable {
    /// Run as this role (SET LOCAL ROLE inside a transaction); the connection is left as
    /// it was afterwards.
    public var role: String?
    /// Run in a read-only transaction: the server refuses any write (SQLSTATE 25006).
    public var readOnly: Bool
    /// Run inside a transaction that is always rolled back: plan mode's verification.
    public var rollback: Bool
    /// Seconds for the whole call, wrapping commands included.
    public var timeout: Double
    /// With `rollback`: how long the verification waits for a lock and lets the statement
    /// run before it gives up and reports the statement as not verified.
    public var planLimits: PlanLimits

    public init(role: String? = nil, readOnly: Bool = false, rollback: Bool = false, timeout: Double, planLimits: PlanLimits = .defaults) {
        self.role = role
        self.readOnly = readOnly
        self.rollback = rollback
        self.timeout = timeout
        self.planLimits = planLimits
    }
}

extension StatementOptions {
    /// "as role app, read-only" for messages.
    var describe: String {
        var parts: [String] = []
        if let role { parts.append("as role \(role)") }
        if readOnly { parts.append("read-only") }
        if rollback { parts.append("in plan mode") }
        return parts.joined(separator: ", ")
    }
}

/// What a script run did.
public struct ScriptOutcome: Sendable {
    /// Statements executed (after dropping a leading BEGIN and trailing COMMIT).
    public let statements: Int
    /// Whether the statements ran in one transaction (false when one of them cannot).
    public let transactional: Bool
}

extension PGConnection {
    /// Runs one statement under `options`. Outside a transaction the wrapping is
    /// BEGIN [READ ONLY]; SET LOCAL ROLE; statement; COMMIT (ROLLBACK on failure, or always
    /// when `rollback`). Inside one, the role is restored after the statement and a
    /// read-only statement runs in a savepoint. With `rollback` (plan mode) the statement
    /// runs under the plan's lock and statement timeouts, and one that would advance a
    /// sequence is not run: both come back as errors marked `unverified`.
    public func run(_ sql: String, parameters: [PGValue]? = nil, options: StatementOptions) throws(PGError) -> PGResult {
        try run(sql, body: .single(parameters), options: options)
    }

    /// Runs one parameterised statement once per row of `rows` through the pipeline (see
    /// `executeBatch`), wrapped under `options` as `run` wraps one statement: the whole batch
    /// is what a role, read-only or plan mode's rollback applies to. The result's `affected`
    /// is the total over the rows.
    public func runBatch(_ sql: String, rows: [[PGValue]], options: StatementOptions) throws(PGError) -> PGResult {
        // The batch is one (implicit) transaction; a statement that cannot run in one cannot be batched.
        if let s = SQLScript.split(sql).first(where: \.cannotRunInTransaction) {
            guard !options.rollback else { throw PGError.unverifiable(s) }
            throw PGError(.invalid, "\(s.keywords.prefix(4).joined(separator: " ")) cannot run inside a transaction, so it cannot run in a batch; use exec")
        }
        return try run(sql, body: .batch(rows), options: options)
    }

    /// What `run` sends once it has set the transaction and role up: one statement (with or
    /// without parameters) or a batch of parameter rows.
    enum StatementBody {
        case single([PGValue]?)
        case batch([[PGValue]])
    }

    func send(_ sql: String, _ body: StatementBody, timeout: Double) throws(PGError) -> [PGResult] {
        switch body {
        case .single(let parameters): return try execute(sql, parameters: parameters, timeout: timeout)
        case .batch(let rows): return [try executeBatch(sql, rows: rows, timeout: timeout)]
        }
    }

    private func run(_ sql: String, body: StatementBody, options: StatementOptions) throws(PGError) -> PGResult {
        let deadline = Monotonic.now + options.timeout
        func left() -> Double { max(0.001, deadline - Monotonic.now) }
        func last(_ rs: [PGResult]) -> PGResult { rs.last ?? PGResult(command: "", affected: nil, columns: [], rows: []) }
        let wrap = options.role != nil || options.readOnly || options.rollback
        guard wrap else { return last(try send(sql, body, timeout: left())) }
        // The wrapper owns the transaction and the role: SQL that ends one or changes the
        // other (several statements are allowed without parameters) would escape it.
        let statements = SQLScript.split(sql)
        if let s = statements.first(where: \.isTransactionControl) {
            throw PGError(.invalid, "\(s.keywords.prefix(2).joined(separator: " ")) inside a statement run \(options.describe): unidesk owns that transaction; use conn:tx or run it without these options")
        }
        if options.role != nil, let s = statements.first(where: \.changesRole) {
            throw PGError(.invalid, "\(s.keywords.prefix(3).joined(separator: " ")) inside a statement run as a role: the rest would run with other privileges")
        }
        let role = try options.role.map { r throws(PGError) in try quoteIdentifier(r) }

        switch transactionState {
        case .idle:
            if let first = statements.first(where: \.cannotRunInTransaction) {
                guard !options.rollback else { throw PGError.unverifiable(first) }
                guard !options.readOnly else {
                    throw PGError(.invalid, "\(first.keywords.prefix(4).joined(separator: " ")) cannot run inside a transaction, so it cannot run read-only; pass read_only = false (it is then a write)")
                }
                return try runOutsideTransaction(sql, body: body, role: options.role, quoted: role, left: left)
            }
            if options.rollback, let found = sequenceAdvance(in: statements, timeout: left()) {
                throw PGError.advancesSequence(found.reason, found.statement, index: statements.count > 1 ? found.index : nil)
            }
            _ = try execute(options.readOnly ? "BEGIN READ ONLY" : "BEGIN", timeout: left())
            do {
                if options.rollback { _ = try execute(options.planLimits.setLocal, timeout: left()) }
                if let role { _ = try execute("SET LOCAL ROLE \(role)", timeout: left()) }
                let r = last(try send(sql, body, timeout: left()))
                if let name = options.role { try verifyRole(name, left()) }
                _ = try execute(options.rollback ? "ROLLBACK" : "COMMIT", timeout: left())
                return r
            } catch {
                abandonTransaction(left())
                if options.rollback, let e = error.planCancellation(options.planLimits) { throw e }
                throw error
            }
        case .inTransaction:
            if options.readOnly {
                _ = try execute("SAVEPOINT unidesk_read_only", timeout: left())
                do {
                    _ = try execute("SET LOCAL transaction_read_only = on", timeout: left())
                    if let role { _ = try execute("SET LOCAL ROLE \(role)", timeout: left()) }
                    let r = last(try send(sql, body, timeout: left()))
                    _ = try execute("ROLLBACK TO SAVEPOINT unidesk_read_only; RELEASE SAVEPOINT unidesk_read_only", timeout: left())
                    return r
                } catch {
                    if isOpen { _ = try? execute("ROLLBACK TO SAVEPOINT unidesk_read_only; RELEASE SAVEPOINT unidesk_read_only", timeout: left()) }
                    throw error
                }
            }
            if options.rollback {
                return try verifyInTransaction(sql, body: body, statements: statements, options: options, quotedRole: role, left: left)
            }
            guard let role, let name = options.role else { return last(try send(sql, body, timeout: left())) }
            let previous = try currentRoleSetting(left())
            _ = try execute("SET LOCAL ROLE \(role)", timeout: left())
            let r = last(try send(sql, body, timeout: left()))
            try verifyRole(name, left())
            _ = try execute("SET LOCAL ROLE \(previous)", timeout: left())
            return r
        case .failed, .unknown:
            // The server answers with 25P02 (in failed transaction) or the broken-connection error.
            return last(try send(sql, body, timeout: left()))
        }
    }

    /// Runs a script statement by statement, so a failure names its statement and line.
    /// The whole script is one transaction unless a statement cannot run in one; then
    /// each statement commits on its own (as psql would run the file).
    public func runScript(_ script: String, name: String?, options: StatementOptions) throws(PGError) -> ScriptOutcome {
        let deadline = Monotonic.now + options.timeout
        func left() -> Double { max(0.001, deadline - Monotonic.now) }
        var statements = SQLScript.split(script)
        func annotate(_ e: PGError, _ s: SQLStatement, _ index: Int) -> PGError {
            var e = e
            e.file = name
            e.statement = s.text
            e.statementIndex = index
            e.line = e.position.map { s.line(ofPosition: $0) } ?? s.line
            return e
        }
        // A file that brackets itself in BEGIN … COMMIT: the runner's transaction replaces it.
        if statements.first?.opensTransaction == true && statements.last?.closesTransaction == true && statements.count >= 2 {
            statements = Array(statements.dropFirst().dropLast())
        }
        for (i, s) in statements.enumerated() {
            if s.isTransactionControl {
                throw annotate(PGError(.invalid, "\(s.keywords.prefix(2).joined(separator: " ")) inside a script: the runner wraps each script in its own transaction; remove it (a leading BEGIN with a trailing COMMIT is accepted)"), s, i + 1)
            }
            if options.role != nil && s.changesRole {
                throw annotate(PGError(.invalid, "the script changes its role (\(s.keywords.prefix(3).joined(separator: " "))) while it runs as a role: the rest would run with other privileges"), s, i + 1)
            }
        }
        let role = try options.role.map { r throws(PGError) in try quoteIdentifier(r) }
        let inOwnTransaction = transactionState == .idle
        if let blocker = statements.first(where: \.cannotRunInTransaction) {
            guard !options.rollback else { throw PGError.unverifiable(blocker) }
            return try runScriptOutsideTransaction(statements, blocker: blocker, inOwnTransaction: inOwnTransaction, options: options,
                                                   quotedRole: role, annotate: annotate, left: left)
        }
        if options.rollback, let found = sequenceAdvance(in: statements, timeout: left()) {
            let e = PGError.advancesSequence(found.reason + Self.location(name, index: found.index, line: found.statement.line), found.statement, index: found.index)
            throw annotate(e, found.statement, found.index)
        }
        let previous = inOwnTransaction ? nil : try currentRoleSetting(left())
        // Inside the caller's transaction a read-only script runs in a savepoint that is
        // rolled back: transaction_read_only cannot be switched off again afterwards.
        let readOnlySavepoint = !inOwnTransaction && options.readOnly
        // Plan mode inside the caller's transaction: a savepoint, so a script that gives up
        // waiting rolls back alone and the transaction goes on.
        let planSavepoint = !inOwnTransaction && options.rollback && !options.readOnly
        if inOwnTransaction { _ = try execute(options.readOnly ? "BEGIN READ ONLY" : "BEGIN", timeout: left()) }
        if readOnlySavepoint {
            _ = try execute("SAVEPOINT unidesk_read_only; SET LOCAL transaction_read_only = on", timeout: left())
        }
        var savedLimits: [PGValue] = []
        if planSavepoint {
            _ = try execute("SAVEPOINT unidesk_plan", timeout: left())
            do { savedLimits = try currentLimits(left()) } catch {
                if isOpen { _ = try? execute("ROLLBACK TO SAVEPOINT unidesk_plan; RELEASE SAVEPOINT unidesk_plan", timeout: left()) }
                throw error
            }
        }
        do throws(PGError) {
            if options.rollback { _ = try execute(options.planLimits.setLocal, timeout: left()) }
            if let role { _ = try execute("SET LOCAL ROLE \(role)", timeout: left()) }
            for (i, s) in statements.enumerated() {
                do { _ = try execute(s.text, timeout: left()) } catch { throw annotate(error, s, i + 1) }
            }
            if let name = options.role { try verifyRole(name, left()) }
            if inOwnTransaction {
                _ = try execute(options.rollback ? "ROLLBACK" : "COMMIT", timeout: left())
            } else if readOnlySavepoint {
                _ = try execute("ROLLBACK TO SAVEPOINT unidesk_read_only; RELEASE SAVEPOINT unidesk_read_only", timeout: left())
            } else if let previous, role != nil {
                _ = try execute("SET LOCAL ROLE \(previous)", timeout: left())
            }
            if planSavepoint { try restoreLimits(savedLimits, left()) }
        } catch {
            if inOwnTransaction { abandonTransaction(left()) }
            else if readOnlySavepoint && isOpen {
                _ = try? execute("ROLLBACK TO SAVEPOINT unidesk_read_only; RELEASE SAVEPOINT unidesk_read_only", timeout: left())
            }
            if options.rollback, var e = error.planCancellation(options.planLimits) {
                if planSavepoint && isOpen { _ = try? execute("ROLLBACK TO SAVEPOINT unidesk_plan; RELEASE SAVEPOINT unidesk_plan", timeout: max(left(), 2)) }
                if let index = e.statementIndex { e.message += Self.location(name, index: index, line: e.line ?? 0) }
                throw e
            }
            throw error
        }
        return ScriptOutcome(statements: statements.count, transactional: true)
    }

    /// A script with a statement that cannot run in a transaction (`blocker`): each
    /// statement commits on its own.
    private func runScriptOutsideTransaction(_ statements: [SQLStatement], blocker: SQLStatement, inOwnTransaction: Bool, options: StatementOptions,
                                             quotedRole role: String?, annotate: (PGError, SQLStatement, Int) -> PGError,
                                             left: () -> Double) throws(PGError) -> ScriptOutcome {
        if !inOwnTransaction {
            throw annotate(PGError(.invalid, "\(blocker.keywords.prefix(4).joined(separator: " ")) cannot run inside a transaction block, and the script was started inside one"), blocker, (statements.firstIndex(of: blocker) ?? 0) + 1)
        }
        guard !options.readOnly else {
            throw annotate(PGError(.invalid, "\(blocker.keywords.prefix(4).joined(separator: " ")) cannot run inside a transaction, so the script cannot run read-only"), blocker, (statements.firstIndex(of: blocker) ?? 0) + 1)
        }
        for (i, s) in statements.enumerated() {
            do { _ = try runOutsideTransaction(s.text, body: .single(nil), role: options.role, quoted: role, left: left) } catch { throw annotate(error, s, i + 1) }
        }
        return ScriptOutcome(statements: statements.count, transactional: false)
    }

    /// " (statement 2 of 004_x.up.sql, line 7)": where in a script plan mode stopped.
    static func location(_ file: String?, index: Int, line: Int) -> String {
        " (statement \(index) of \(file ?? "the script"), line \(line))"
    }

    /// BEGIN for `conn:tx`. Transactions do not nest.
    public func begin(timeout: Double) throws(PGError) {
        guard transactionState == .idle else {
            throw PGError(.invalid, "a transaction is already open on this connection (tx does not nest)")
        }
        _ = try execute("BEGIN", timeout: timeout)
    }

    /// Ends `conn:tx`'s transaction: COMMIT, or ROLLBACK when `rollback` (plan mode). A
    /// transaction a failed statement aborted is rolled back by the server: that is an
    /// error (SQLSTATE 25P02), since nothing was committed.
    public func commit(rollback: Bool, timeout: Double) throws(PGError) {
        if rollback {
            _ = try execute("ROLLBACK", timeout: timeout)
            return
        }
        let r = try execute("COMMIT", timeout: timeout)
        if r.last?.command == "ROLLBACK" {
            var e = PGError(.sql, "the transaction was rolled back, not committed: a statement in it failed")
            e.sqlstate = "25P02"
            throw e
        }
    }

    public func rollbackTransaction(timeout: Double) {
        if isOpen && transactionState != .idle { _ = try? execute("ROLLBACK", timeout: timeout) }
    }

    /// A statement that cannot run in a transaction, as `role` at session level, then the
    /// previous role back.
    private func runOutsideTransaction(_ sql: String, body: StatementBody, role name: String?, quoted role: String?,
                                       left: () -> Double) throws(PGError) -> PGResult {
        guard let role, let name else { return try send(sql, body, timeout: left()).last ?? PGResult(command: "", affected: nil, columns: [], rows: []) }
        let previous = try currentRoleSetting(left())
        _ = try execute("SET ROLE \(role)", timeout: left())
        defer { if isOpen { _ = try? execute("SET ROLE \(previous)", timeout: left()) } }
        let r = try send(sql, body, timeout: left()).last ?? PGResult(command: "", affected: nil, columns: [], rows: [])
        try verifyRole(name, left())
        return r
    }

    /// The statement must still be running as `role` when it ends: set_config('role', …)
    /// or a DO block can switch roles in ways no keyword check sees.
    func verifyRole(_ role: String, _ timeout: Double) throws(PGError) {
        let r = try execute("SELECT current_user::text", parameters: [], timeout: timeout)
        guard case .text(let now)? = r.last?.rows.first?.first, now == role else {
            throw PGError(.invalid, "the SQL switched its role away from \(role) while it ran (set_config or a DO block); refused")
        }
    }

    /// The current `role` setting as SQL that restores it ("NONE" or a quoted name).
    func currentRoleSetting(_ timeout: Double) throws(PGError) -> String {
        let r = try execute("SELECT current_setting('role')", timeout: timeout)
        guard case .text(let name)? = r.last?.rows.first?.first, name != "none" else { return "NONE" }
        return try quoteIdentifier(name)
    }

    private func abandonTransaction(_ timeout: Double) {
        if isOpen && transactionState != .idle { _ = try? execute("ROLLBACK", timeout: max(timeout, 2)) }
    }
}

extension PGError {
    /// Plan mode cannot verify a statement that refuses to run inside a transaction.
    static func unverifiable(_ s: SQLStatement) -> PGError {
        var e = PGError(.invalid, "unverifiable: \(s.keywords.prefix(4).joined(separator: " ")) cannot run inside a transaction, so plan mode cannot try it and roll it back; it was not run")
        e.unverified = true
        e.statement = s.text
        e.line = s.line
        return e
    }
}
