import FuzzSupport
@testable import UnideskPostgres

// SQLScript.split (what `pg.run_script` and migrations send one by one) and SQLTokens.of.
// Beyond "no crash": every statement is non-empty text taken from the script, in order, on
// lines that never go back, its keywords upper-case; and splitting a statement's own text
// again gives back that one statement.
runFuzzer { bytes in
    guard let sql = utf8Text(bytes) else { return }
    let statements = SQLScript.split(sql)
    var searchFrom = sql.startIndex
    var lastLine = 1
    for statement in statements {
        if statement.text.isEmpty { violated("empty statement") }
        guard let found = sql.range(of: statement.text, range: searchFrom..<sql.endIndex) else {
            violated("statement text not found in order: \(statement.text)")
        }
        searchFrom = found.upperBound
        if statement.line < lastLine { violated("line went back from \(lastLine) to \(statement.line)") }
        lastLine = statement.line
        if statement.keywords.contains(where: { $0 != $0.uppercased() }) { violated("keywords not upper-case: \(statement.keywords)") }
        _ = statement.line(ofPosition: statement.text.count)
        let alone = SQLScript.split(statement.text)
        if alone.count != 1 || alone[0].text != statement.text || alone[0].keywords != statement.keywords {
            violated("statement split again gives \(alone.map(\.text)) from: \(statement.text)")
        }
        _ = SQLTokens.of(statement.text)
    }
    _ = SQLTokens.of(sql)
}
