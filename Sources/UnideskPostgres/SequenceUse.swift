/// What in a statement's text may advance a sequence. Sequences are not transactional:
/// nextval and setval keep their effect when the transaction that called them is rolled
/// back, so plan mode must not run such a statement to verify it. Found from the text
/// alone; `PGConnection.sequenceAdvance` asks the catalog which filled tables draw a column
/// default from a sequence.
struct SequenceUse: Equatable {
    struct Call: Equatable {
        /// "nextval" or "setval", lower-cased.
        let function: String
        /// The sequence when the first argument is a string constant ('items_id_seq').
        let sequence: String?
    }

    /// Explicit nextval(…) / setval(…) calls.
    var calls: [Call] = []
    /// Tables the statement adds rows to or resets to defaults, as written (`public."Items"`):
    /// INSERT INTO t, MERGE INTO t, COPY t … FROM, and UPDATE t when the statement says
    /// DEFAULT. Their serial or identity columns draw from a sequence.
    var filledTables: [String] = []

    var isEmpty: Bool { calls.isEmpty && filledTables.isEmpty }

    init(_ sql: String) { self.init(tokens: SQLTokens.of(sql)) }

    init(tokens t: [SQLToken]) {
        let keywords = t.compactMap(\.keyword)
        // A function or procedure body is defined here, not run.
        let definition = keywords.first == "CREATE"
            && keywords.dropFirst().drop(while: { $0 == "OR" || $0 == "REPLACE" }).first.map { ["FUNCTION", "PROCEDURE"].contains($0) } == true
        if definition { return }
        let saysDefault = keywords.contains("DEFAULT")
        for (i, token) in t.enumerated() {
            guard let k = token.keyword else { continue }
            switch k {
            case "NEXTVAL", "SETVAL":
                guard i + 1 < t.count, t[i + 1] == .symbol(40) else { continue }   // "("
                var sequence: String? = nil
                if i + 2 < t.count, case .string(let s) = t[i + 2] { sequence = s }
                calls.append(Call(function: k.lowercased(), sequence: sequence))
            case "INSERT", "MERGE":
                if i + 1 < t.count, t[i + 1].keyword == "INTO", let name = Self.name(t, at: i + 2) { filledTables.append(name) }
            case "COPY":
                guard let name = Self.name(t, at: i + 1) else { continue }
                // COPY t [(columns)] FROM …: rows come in. COPY t TO … writes nothing.
                if t[(i + 1)...].first(where: { ["FROM", "TO"].contains($0.keyword ?? "") })?.keyword == "FROM" { filledTables.append(name) }
            case "UPDATE":
                if saysDefault, let name = Self.name(t, at: i + 1) { filledTables.append(name) }
            case "DO":
                // An anonymous code block: its body is a string constant, and what it runs is in there.
                for case .string(let body) in t[(i + 1)...] {
                    let inner = SequenceUse(body)
                    calls += inner.calls
                    filledTables += inner.filledTables
                }
            default:
                continue
            }
        }
    }

    /// A possibly qualified table name starting at `start` (ONLY skipped), as SQL text
    /// `to_regclass` parses the same way the statement's own parser does.
    static func name(_ t: [SQLToken], at start: Int) -> String? {
        var i = start
        if i < t.count, t[i].keyword == "ONLY" { i += 1 }
        var parts: [String] = []
        parts: while i < t.count {
            switch t[i] {
            case .word(let w): parts.append(w)
            case .quoted(let q): parts.append("\"" + q.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
            default: break parts
            }
            i += 1
            guard i < t.count, t[i] == .symbol(46) else { break }   // "."
            i += 1
        }
        // database.schema.table at most; anything longer is not a table name to look up.
        return parts.isEmpty || parts.count > 3 ? nil : parts.joined(separator: ".")
    }
}
