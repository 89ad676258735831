import CLibPQ
import Foundation

/// One statement's result, copied out of libpq.
public struct PGResult: Sendable {
    public struct Column: Sendable, Equatable {
        public let name: String
        public let typeOID: UInt32
    }

    /// The command tag: "INSERT 0 1", "SELECT 3", "CREATE TABLE".
    public let command: String
    /// Rows affected by INSERT/UPDATE/DELETE/MERGE/SELECT/MOVE/FETCH/COPY; nil otherwise.
    public let affected: Int?
    public let columns: [Column]
    public let rows: [[PGValue]]

    public init(command: String, affected: Int?, columns: [Column], rows: [[PGValue]]) {
        self.command = command
        self.affected = affected
        self.columns = columns
        self.rows = rows
    }

    init(copying r: OpaquePointer) {
        command = PQcmdStatus(r).map { String(cString: $0) } ?? ""
        let tuples = PQcmdTuples(r).map { String(cString: $0) } ?? ""
        affected = Int(tuples)
        let nf = Int(PQnfields(r)), nt = Int(PQntuples(r))
        var cols: [Column] = []
        cols.reserveCapacity(nf)
        for c in 0..<nf {
            cols.append(Column(name: PQfname(r, Int32(c)).map { String(cString: $0) } ?? "?column?",
                               typeOID: UInt32(PQftype(r, Int32(c)))))
        }
        columns = cols
        var out: [[PGValue]] = []
        out.reserveCapacity(nt)
        for t in 0..<nt {
            var row: [PGValue] = []
            row.reserveCapacity(nf)
            for c in 0..<nf {
                if PQgetisnull(r, Int32(t), Int32(c)) == 1 { row.append(.null); continue }
                let len = Int(PQgetlength(r, Int32(t), Int32(c)))
                let p = PQgetvalue(r, Int32(t), Int32(c))!
                let buf = UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: len)
                row.append(PGType.decode(buf, oid: cols[c].typeOID))
            }
            out.append(row)
        }
        rows = out
    }
}

extension PGError {
    /// The server's error fields of a failed result.
    init(result r: OpaquePointer) {
        func field(_ code: Int32) -> String? {
            PQresultErrorField(r, code).map { String(cString: $0) }
        }
        let primary = field(Int32(UD_PG_DIAG_MESSAGE_PRIMARY))
            ?? PQresultErrorMessage(r).map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "statement failed"
        self.init(.sql, primary)
        sqlstate = field(Int32(UD_PG_DIAG_SQLSTATE))
        detail = field(Int32(UD_PG_DIAG_MESSAGE_DETAIL))
        hint = field(Int32(UD_PG_DIAG_MESSAGE_HINT))
        position = field(Int32(UD_PG_DIAG_STATEMENT_POSITION)).flatMap { Int($0) }
        context = field(Int32(UD_PG_DIAG_CONTEXT))
        table = field(Int32(UD_PG_DIAG_TABLE_NAME))
        column = field(Int32(UD_PG_DIAG_COLUMN_NAME))
        constraint = field(Int32(UD_PG_DIAG_CONSTRAINT_NAME))
        if sqlstate == "57014" { kind = .timeout }
    }
}
