import Yams

/// Converts a composed Yams node tree into `DataValue`.
///
/// Yams resolves aliases by sharing subtrees, so a small "billion laughs" document expands
/// exponentially once copied out; the value budget bounds that expansion.
struct YAMLNodeReader {
    /// libyaml's own nesting limit; aliases could otherwise stack structures deeper.
    static let maxDepth = 1000

    private var remainingValues: Int
    private let bomRepair: YAMLLeadingBOMRepair?

    init(source: String) {
        remainingValues = 100_000 + source.utf8.count * 16
        bomRepair = YAMLLeadingBOMRepair(source: source)
    }

    mutating func value(of node: Node) throws(DataCodecError) -> DataValue {
        try value(of: node, depth: 0)
    }

    private mutating func value(of node: Node, depth: Int) throws(DataCodecError) -> DataValue {
        remainingValues -= 1
        guard remainingValues >= 0 else {
            throw positioned("document expands to too many values through aliases", node)
        }
        guard depth <= Self.maxDepth else {
            throw positioned("nesting deeper than \(Self.maxDepth) levels", node)
        }
        switch node {
        case let .scalar(scalar):
            return try YAMLScalarResolver.value(of: scalar, text: text(of: scalar))
        case let .sequence(sequence):
            var elements: [DataValue] = []
            elements.reserveCapacity(sequence.count)
            for element in sequence {
                elements.append(try value(of: element, depth: depth + 1))
            }
            return .array(elements)
        case let .mapping(mapping):
            return .object(try pairs(of: mapping, depth: depth))
        case .alias:
            // The composer substitutes aliases with their targets, so none should remain.
            throw positioned("unresolved alias", node)
        }
    }

    /// Keys written explicitly override those brought in by `<<` merge keys, wherever they appear;
    /// merged keys come first, as with Yams' own `load`.
    private mutating func pairs(of mapping: Node.Mapping, depth: Int) throws(DataCodecError) -> [(String, DataValue)] {
        var merged = ObjectPairsBuilder()
        var explicit: [(String, DataValue)] = []
        for (key, value) in mapping {
            if Self.isMergeKey(key) {
                try merge(value, into: &merged, depth: depth)
            } else {
                explicit.append((try keyString(key, depth: depth), try self.value(of: value, depth: depth + 1)))
            }
        }
        var result = ObjectPairsBuilder()
        for (key, value) in merged.pairs {
            result.set(key, value)
        }
        for (key, value) in explicit {
            result.set(key, value)
        }
        return result.pairs
    }

    /// Earlier mappings in a merge sequence take precedence over later ones (YAML merge spec).
    private mutating func merge(_ source: Node, into merged: inout ObjectPairsBuilder, depth: Int) throws(DataCodecError) {
        let sources: [Node]
        switch source {
        case .mapping:
            sources = [source]
        case let .sequence(sequence) where sequence.allSatisfy({ $0.mapping != nil }):
            sources = Array(sequence)
        default:
            throw positioned("merge key '<<' needs a mapping or a sequence of mappings", source)
        }
        for mappingNode in sources {
            guard case let .object(pairs) = try value(of: mappingNode, depth: depth + 1) else { continue }
            for (key, value) in pairs where !merged.contains(key) {
                merged.set(key, value)
            }
        }
    }

    private static func isMergeKey(_ key: Node) -> Bool {
        guard case let .scalar(scalar) = key else { return false }
        return scalar.string == "<<" && (scalar.style == .plain || scalar.style == .any)
            && (scalar.tag.rawValue.isEmpty || scalar.tag.rawValue == Tag.Name.merge.rawValue
                || scalar.tag.rawValue == Tag.Name.str.rawValue)
    }

    /// Scalar keys keep their text as written (`1:` → "1", `0x1F:` → "0x1F"); complex keys become compact JSON.
    private mutating func keyString(_ key: Node, depth: Int) throws(DataCodecError) -> String {
        if case let .scalar(scalar) = key {
            return text(of: scalar)
        }
        let value = try value(of: key, depth: depth + 1)
        let options = JSON.EncodeOptions(sortKeys: false)
        if let json = try? JSON.encode(value, options: options) {
            return json
        }
        return String(describing: value)
    }

    private func text(of scalar: Node.Scalar) -> String {
        bomRepair?.repair(scalar.string, of: scalar) ?? scalar.string
    }

    private func positioned(_ problem: String, _ node: Node) -> DataCodecError {
        guard let mark = node.mark else { return DataCodecError("invalid YAML: \(problem)") }
        return DataCodecError("invalid YAML at line \(mark.line), column \(mark.column): \(problem)",
                              line: mark.line, column: mark.column)
    }
}
