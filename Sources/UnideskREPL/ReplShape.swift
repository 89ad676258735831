import LuaRuntime

/// What a value looks like once the display's limits are applied, before it is laid out on
/// lines: which entries show, where the depth cuts, which sequences are summarised, which
/// table refers back to one that contains it. Pure.
indirect enum ReplShape {
    case scalar(String)
    case table(id: Int, items: [Item])
    /// A table not shown: past the depth limit, or not read.
    case cut
    /// The table `id` again, inside itself.
    case cycle(id: Int)

    enum Item {
        case value(ReplShape)
        case field(String, ReplShape)
        /// Entries not shown: past the entry limit, or keys neither strings nor the sequence's.
        case more
        /// A long sequence on one line: its first items and its length.
        case summary([ReplShape], count: Int)
    }
}

/// How much of a value the display shows.
struct ReplDisplayLimits {
    /// Tables deeper than this show as `{ … }` (1 = the value itself).
    var maxDepth: Int
    /// Entries shown per table (a summarised sequence counts as one); nil: all.
    var maxEntries: Int?
    /// Sequences longer than `summaryAbove` that do not fit on a line are summarised.
    var summariseSequences: Bool
    /// Scalars in a row share lines up to the width (a long sequence in a few lines, not one
    /// line per item).
    var packScalars: Bool

    /// What an input's value shows.
    static let brief = ReplDisplayLimits(maxDepth: 4, maxEntries: 30, summariseSequences: true, packScalars: false)
    /// What `:more` shows: everything, to a generous depth.
    static let full = ReplDisplayLimits(maxDepth: 32, maxEntries: nil, summariseSequences: false, packScalars: true)

    /// A sequence of up to this many items is shown item by item.
    static let summaryAbove = 10
    /// A summary's first items take up to this many characters (at least one item shows).
    static let summaryWidth = 60
    /// Tables shown over the whole value, whatever the limits: a table shared at every level
    /// of a deep structure is shown once per path to it, which grows exponentially.
    static let maxTablesShown = 100_000
}

/// Builds the shape of a `LuaGraph` value under limits.
struct ReplShapeBuilder {
    let graph: LuaGraph
    let limits: ReplDisplayLimits
    /// Something was left out (entries, depth, a summarised sequence): `:more` has more.
    private(set) var shortened = false
    /// The tables being shown, outermost first: meeting one of them again is a cycle.
    private var path: Set<Int> = []
    private var tablesShown = 0

    init(graph: LuaGraph, limits: ReplDisplayLimits) {
        self.graph = graph
        self.limits = limits
    }

    /// `depth`: the nesting level a table here has (1 = top); tables past `depthLimit` are cut.
    mutating func shape(_ value: LuaGraph.Value, depth: Int = 1, depthLimit: Int? = nil) -> ReplShape {
        guard case .table(let id) = value else {
            if case .scalar(let v) = value { return .scalar(ReplPrinter.scalar(v)) }
            return .cut
        }
        if path.contains(id) { return .cycle(id: id) }
        let t = graph.tables[id]
        if t.isEmpty { return .table(id: id, items: []) }
        let limit = depthLimit ?? limits.maxDepth
        guard t.isRead, depth <= limit, tablesShown < ReplDisplayLimits.maxTablesShown else {
            shortened = true
            return .cut
        }
        tablesShown += 1
        path.insert(id)
        defer { path.remove(id) }

        var items: [ReplShape.Item] = []
        var sequence = t.array[...]
        if limits.summariseSequences, t.array.count > ReplDisplayLimits.summaryAbove {
            // Item by item while they fit on a line; past that, a summary.
            var width = 0
            var shown: [ReplShape.Item] = []
            for v in t.array {
                let s = shape(v, depth: depth + 1, depthLimit: limit)
                width += ReplPrinter.oneLine(s).count + 2
                shown.append(.value(s))
                if width > ReplPrinter.lineWidth { break }
            }
            if width > ReplPrinter.lineWidth {
                items.append(summary(t.array, depth: depth))
                sequence = []
            } else {
                items = shown
                sequence = t.array[shown.count...]
            }
        }
        for v in sequence {
            if let max = limits.maxEntries, items.count == max { return cut(id: id, items) }
            items.append(.value(shape(v, depth: depth + 1, depthLimit: limit)))
        }
        for (k, v) in t.fields {
            if let max = limits.maxEntries, items.count == max { return cut(id: id, items) }
            items.append(.field(k, shape(v, depth: depth + 1, depthLimit: limit)))
        }
        if t.otherKeys > 0 { items.append(.more) }
        return .table(id: id, items: items)
    }

    private mutating func cut(id: Int, _ items: [ReplShape.Item]) -> ReplShape {
        shortened = true
        return .table(id: id, items: items + [.more])
    }

    /// The first items of a long sequence, each shown one level deep (a list of rows shows
    /// the first row's fields, its nested tables as `{ … }`), and the length.
    private mutating func summary(_ array: [LuaGraph.Value], depth: Int) -> ReplShape.Item {
        shortened = true
        var head: [ReplShape] = []
        var width = 0
        for v in array.prefix(ReplDisplayLimits.summaryAbove) {
            let s = shape(v, depth: depth + 1, depthLimit: depth + 1)
            width += ReplPrinter.oneLine(s).count + 2
            if !head.isEmpty && width > ReplDisplayLimits.summaryWidth { break }
            head.append(s)
        }
        return .summary(head, count: array.count)
    }
}
