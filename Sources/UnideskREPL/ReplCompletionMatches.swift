/// A completion in the shape libedit's readline layer takes: the replacement for the word it
/// found before the cursor, then the candidates when there are several. libedit splits words
/// at its own break characters, the completer at Lua's: its candidates are re-cut to
/// libedit's word here.
extension ReplCompletion {
    /// `line`: the text before the cursor; `wordStart`: where libedit's word begins in it
    /// (a scalar offset). nil when there is nothing to insert.
    func readlineMatches(line: [Unicode.Scalar], wordStart: Int) -> [String]? {
        let wordStart = max(0, min(wordStart, line.count))
        let word = String(String.UnicodeScalarView(line[wordStart...]))
        switch self {
        case .none:
            return nil
        case .insert(let text):
            return [word + text]
        case .words(let start, let candidates):
            guard !candidates.isEmpty, start <= line.count else { return nil }
            let recut: [String] = candidates.map { candidate in
                if start >= wordStart {
                    return String(String.UnicodeScalarView(line[wordStart..<start])) + candidate
                }
                return String(String.UnicodeScalarView(candidate.unicodeScalars.dropFirst(wordStart - start)))
            }
            guard recut.count > 1 else { return recut }
            return [Self.commonPrefix(recut)] + recut
        }
    }

    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first.map({ Array($0.unicodeScalars) }) else { return "" }
        for w in words.dropFirst() {
            let s = Array(w.unicodeScalars)
            var n = 0
            while n < prefix.count, n < s.count, prefix[n] == s[n] { n += 1 }
            prefix.removeSubrange(n...)
        }
        return String(String.UnicodeScalarView(prefix))
    }
}
