/// Accumulates object members with "last value wins, first position kept" semantics.
///
/// Small objects use a linear scan; past a threshold an index avoids quadratic behaviour on
/// documents with thousands of keys (large ConfigMaps, label sets).
struct ObjectPairsBuilder {
    private(set) var pairs: [(String, DataValue)] = []
    private var positions: [String: Int]?
    private static let indexThreshold = 16

    init() {}

    mutating func set(_ key: String, _ value: DataValue) {
        if let position = position(of: key) {
            pairs[position].1 = value
            return
        }
        pairs.append((key, value))
        if positions != nil {
            positions?[key] = pairs.count - 1
        } else if pairs.count > Self.indexThreshold {
            var index = [String: Int](minimumCapacity: pairs.count * 2)
            for (offset, pair) in pairs.enumerated() {
                index[pair.0] = offset
            }
            positions = index
        }
    }

    func contains(_ key: String) -> Bool {
        position(of: key) != nil
    }

    private func position(of key: String) -> Int? {
        if let positions {
            return positions[key]
        }
        return pairs.firstIndex { $0.0 == key }
    }
}
