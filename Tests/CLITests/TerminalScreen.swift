/// What a terminal would show after a program's output: enough of an xterm to follow libedit's
/// redraws (carriage return, backspace, cursor moves, erase in line/screen, insert/delete
/// characters, wrapping at the right margin). Colours and modes are ignored. Rows are counted
/// from the first line of output and never scroll away (the whole session is the "screen").
struct TerminalScreen {
    let columns: Int
    private(set) var lines: [[Character]] = [[]]
    private(set) var row = 0
    /// May equal `columns`: the next character wraps first (xterm's pending wrap).
    private(set) var column = 0
    /// The visible window's height: absolute cursor positions (ESC [ r;c H) count from its top.
    let rows: Int

    init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    /// The screen after `output` (a whole transcript) from an empty screen.
    init(columns: Int, rows: Int, output: String) {
        self.init(columns: columns, rows: rows)
        feed(output)
    }

    /// Every line, trailing blanks removed, joined with "\n" (trailing empty lines removed too).
    var text: String {
        var shown = lines.map(Self.trimmed)
        while shown.count > 1, shown.last == "" { shown.removeLast() }
        return shown.joined(separator: "\n")
    }

    /// The line the cursor is on, trailing blanks removed.
    var cursorLine: String { Self.trimmed(lines[row]) }

    private static func trimmed(_ line: [Character]) -> String {
        var s = String(line)
        while s.last == " " { s.removeLast() }
        return s
    }

    mutating func feed(_ output: String) {
        let scalars = Array(output.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            i += 1
            switch c {
            case "\u{1B}":
                i = escape(scalars, from: i)
            case "\r": column = 0
            case "\n": moveTo(row: row + 1, column: min(column, columns - 1))
            case "\u{08}": column = max(0, min(column, columns - 1) - 1)
            case "\t": column = min(columns - 1, (column / 8 + 1) * 8)
            default:
                if c.value < 0x20 || c.value == 0x7F { continue }   // BEL and other controls
                put(Character(c))
            }
        }
    }

    private mutating func put(_ c: Character) {
        if column >= columns { moveTo(row: row + 1, column: 0) }
        ensure(row: row, width: column + 1)
        lines[row][column] = c
        column += 1
    }

    private mutating func ensure(row r: Int, width: Int = 0) {
        while lines.count <= r { lines.append([]) }
        if lines[r].count < width { lines[r] += Array(repeating: " ", count: width - lines[r].count) }
    }

    private mutating func moveTo(row r: Int, column c: Int) {
        row = max(0, r)
        column = max(0, min(c, columns - 1))
        ensure(row: row)
    }

    /// Handles the escape sequence after ESC at `i`; returns the index after it.
    private mutating func escape(_ s: [Unicode.Scalar], from start: Int) -> Int {
        guard start < s.count else { return start }
        var i = start
        switch s[i] {
        case "[":
            i += 1
            var parameters = ""
            while i < s.count, (0x20...0x3F).contains(s[i].value) {
                parameters.unicodeScalars.append(s[i])
                i += 1
            }
            guard i < s.count else { return i }
            control(final: s[i], parameters: parameters)
            return i + 1
        case "]":   // OSC … BEL or ESC \
            i += 1
            while i < s.count {
                if s[i] == "\u{07}" { return i + 1 }
                if s[i] == "\u{1B}" { return min(i + 2, s.count) }
                i += 1
            }
            return i
        case "(", ")", "*", "+", "#":
            return min(i + 2, s.count)
        default:
            return i + 1
        }
    }

    private mutating func control(final: Unicode.Scalar, parameters: String) {
        let numbers = parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        func n(_ index: Int, _ otherwise: Int) -> Int {
            index < numbers.count ? (numbers[index] ?? otherwise) : otherwise
        }
        let count = max(1, n(0, 1))
        let top = max(0, lines.count - rows)
        let at = min(column, columns - 1)
        switch final {
        case "A": moveTo(row: max(top, row - count), column: column)
        case "B": moveTo(row: row + count, column: column)
        case "C": moveTo(row: row, column: at + count)
        case "D": moveTo(row: row, column: at - count)
        case "G": moveTo(row: row, column: count - 1)
        case "H", "f": moveTo(row: top + max(1, n(0, 1)) - 1, column: max(1, n(1, 1)) - 1)
        case "K":
            ensure(row: row)
            switch n(0, 0) {
            case 0: if lines[row].count > at { lines[row].removeSubrange(at...) }
            case 1:
                ensure(row: row, width: at + 1)
                for k in 0...at { lines[row][k] = " " }
            default: lines[row] = []
            }
        case "J":
            switch n(0, 0) {
            case 0:
                if lines[row].count > at { lines[row].removeSubrange(at...) }
                if lines.count > row + 1 { lines.removeSubrange((row + 1)...) }
            case 1:
                for r in top..<row { lines[r] = [] }
                ensure(row: row, width: at + 1)
                for k in 0...at { lines[row][k] = " " }
            default:
                for r in top..<lines.count { lines[r] = [] }
            }
        case "P":
            if lines[row].count > at { lines[row].removeSubrange(at..<min(lines[row].count, at + count)) }
        case "@":
            if lines[row].count > at {
                lines[row].insert(contentsOf: Array(repeating: " ", count: count), at: at)
                if lines[row].count > columns { lines[row].removeSubrange(columns...) }
            }
        case "X":
            ensure(row: row, width: at + count)
            for k in at..<(at + count) { lines[row][k] = " " }
        default:
            break   // colours (m), modes (h/l), scroll regions, queries: nothing to draw
        }
    }
}
