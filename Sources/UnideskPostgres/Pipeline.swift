import CLibPQ
import CSystem

/// What a batch sent through libpq's pipeline mode did.
public struct BatchOutcome: Sendable, Equatable {
    /// Rows of parameters sent (each one execution of the statement).
    public let statements: Int
    /// Rows the statement affected, summed over the batch (INSERT/UPDATE/DELETE/MERGE…).
    public let affected: Int
}

extension PGConnection {
    /// Runs one parameterised statement once per row of `rows`, all of them sent through
    /// libpq's pipeline mode and followed by one sync: the server runs them back to back
    /// without waiting for the client between rows, and they are one implicit transaction
    /// when no transaction is open (inside one, they are part of it). The first failing row
    /// stops the batch: the server skips every later row (PGRES_PIPELINE_ABORTED) and the
    /// error names the row (1-based) with the server's SQLSTATE; nothing of the batch is kept
    /// outside a transaction, and an open transaction is left aborted, as a failed exec
    /// leaves it.
    ///
    /// Bounded like `execute`: the socket is non-blocking, results are read while rows are
    /// still being sent (a server blocked on writing results never waits on a client blocked
    /// on writing statements), and past `timeout` or on a stop the statement in progress is
    /// cancelled on the server.
    func executeBatch(_ sql: String, rows: [[PGValue]], timeout: Double) throws(PGError) -> PGResult {
        let c = try live()
        guard !rows.isEmpty else { return PGResult(command: "", affected: 0, columns: [], rows: []) }
        guard PQsetnonblocking(c, 1) == 0 else { throw PGError(.network, "could not make the connection non-blocking: \(errorText(c))") }
        defer { if let conn = liveConnection { _ = PQsetnonblocking(conn, 0) } }
        guard PQenterPipelineMode(c) == 1 else { throw PGError(.network, "could not enter pipeline mode: \(errorText(c))") }

        var deadline = Monotonic.now + timeout
        var cancelled = false, stopped = false
        var sent = 0, synced = false
        // The statement is parsed once (the unnamed prepared statement), then executed per
        // row: the server skips a parse per row. Its result comes first.
        guard PQsendPrepare(c, "", sql, 0, nil) == 1 else {
            throw breakOff(PGError(.network, "could not send the batch's statement: \(errorText(c))"))
        }
        var prepared = false        // the prepare's result has been read
        var answered = 0            // rows whose result has been read
        var betweenResults = false  // a row's result was read; its NULL terminator is next
        var affected = 0
        var failure: PGError?
        var tag = ""
        // Rows are queued a slice at a time between flushes, so libpq's output buffer stays
        // small and the socket is drained while the server answers.
        let slice = 256

        while true {
            // Send: queue the next slice, then the sync after the last row.
            if !synced {
                let end = min(rows.count, sent + slice)
                while sent < end {
                    let ok = Self.withParameters(rows[sent]) { n, values, lengths, formats in
                        PQsendQueryPrepared(c, "", n, values, lengths, formats, 0)
                    }
                    guard ok == 1 else { throw breakOff(PGError(.network, "could not send row \(sent + 1) of the batch: \(errorText(c))")) }
                    sent += 1
                }
                if sent == rows.count {
                    guard PQpipelineSync(c) == 1 else { throw breakOff(PGError(.network, "could not send the batch's sync: \(errorText(c))")) }
                    synced = true
                }
            }
            let unsent = PQflush(c)
            if unsent < 0 { throw breakOff(PGError(.network, "lost the connection to \(server): \(errorText(c))")) }

            // Read whatever has arrived, in the order the rows were sent.
            if PQconsumeInput(c) == 0 { throw breakOff(PGError(.network, "lost the connection to \(server): \(errorText(c))")) }
            var finished = false
            while PQisBusy(c) == 0 {
                guard let r = PQgetResult(c) else {
                    if betweenResults { betweenResults = false; continue }
                    break   // every row sent so far is answered
                }
                defer { PQclear(r) }
                if !prepared, PQresultStatus(r) != PGRES_PIPELINE_SYNC {
                    // The statement itself: a syntax error, an unknown table… fails every row.
                    prepared = true
                    betweenResults = true
                    if PQresultStatus(r) != PGRES_COMMAND_OK && failure == nil {
                        failure = PQresultStatus(r) == PGRES_FATAL_ERROR ? PGError(result: r) : PGError(.network, "unexpected answer to the batch's statement")
                    }
                    continue
                }
                switch PQresultStatus(r) {
                case PGRES_PIPELINE_SYNC:
                    finished = true
                case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                    answered += 1
                    betweenResults = true
                    if tag.isEmpty { tag = PQcmdStatus(r).map { String(cString: $0) } ?? "" }
                    affected += PQcmdTuples(r).flatMap { Int(String(cString: $0)) } ?? 0
                case PGRES_FATAL_ERROR:
                    answered += 1
                    betweenResults = true
                    if failure == nil {
                        var e = PGError(result: r)
                        e.row = answered
                        failure = e
                    }
                case PGRES_PIPELINE_ABORTED:
                    answered += 1
                    betweenResults = true
                default:
                    // COPY and anything else a single parameterised statement cannot start.
                    answered += 1
                    betweenResults = true
                    if failure == nil {
                        var e = PGError(.invalid, "the statement of a batch must be a single INSERT, UPDATE, DELETE, MERGE or SELECT; COPY is not supported")
                        e.row = answered
                        failure = e
                    }
                }
                if finished { break }
            }
            if finished { break }

            // Wait for the socket, the clock or a stop.
            let left = deadline - Monotonic.now
            if left <= 0 {
                if cancelled {
                    throw breakOff(PGError(.timeout, "the server did not answer a cancel request for the batch on \(database) within 5 s; the connection was dropped"))
                }
                cancel(c)
                cancelled = true
                deadline = Monotonic.now + 5
                continue
            }
            let ready = ud_pg_wait_socket_either(PQsocket(c), unsent == 1 || !synced ? 1 : 0, Monotonic.milliseconds(left), cancelled ? -1 : ud_stop_poll_fd())
            if ready == 2 {
                stopped = true
                deadline = Monotonic.now
                continue
            }
            if ready < 0 { throw breakOff(PGError(.network, "lost the connection to \(server): \(errorText(c))")) }
        }
        if PQexitPipelineMode(c) != 1 {
            throw breakOff(PGError(.network, "could not leave pipeline mode: \(errorText(c))"))
        }
        if PQstatus(c) == CONNECTION_BAD {
            throw breakOff(PGError(.network, "lost the connection to \(server): \(failure?.message ?? errorText(c))"))
        }
        if var failure {
            if cancelled && failure.sqlstate == "57014" {
                failure.kind = .timeout
                failure.cancelledByClient = true
                failure.message = stopped ? "batch cancelled at row \(failure.row ?? 0): unidesk is stopping (\(stopSignalName))"
                    : "batch cancelled at row \(failure.row ?? 0) after \(Monotonic.seconds(timeout)) (its timeout or the run's deadline)"
            } else if let row = failure.row {
                failure.message += " (row \(row) of \(rows.count))"
            }
            throw failure
        }
        let command = tag.split(separator: " ").first.map(String.init) ?? ""
        return PGResult(command: command, affected: affected, columns: [], rows: [])
    }

    /// One row's parameters as libpq takes them: text values as NUL-terminated copies,
    /// byte strings (bytea) in binary format by length, NULL as a null pointer.
    static func withParameters(_ row: [PGValue], _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, [Int32], [Int32]) -> Int32) -> Int32 {
        let texts = row.map(\.parameterText)
        let lengths = texts.map { Int32($0?.count ?? 0) }
        let formats = row.map { v -> Int32 in if case .bytes = v { return 1 }; return 0 }
        return withByteArrays(texts) { body(Int32(row.count), $0, lengths, formats) }
    }
}
