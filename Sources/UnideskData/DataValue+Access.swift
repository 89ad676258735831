extension DataValue {
    /// The value stored under `key` when this is an object, otherwise nil.
    public subscript(key: String) -> DataValue? {
        guard case let .object(pairs) = self else { return nil }
        for (candidate, value) in pairs where candidate == key {
            return value
        }
        return nil
    }

    /// The element at `index` when this is an array and the index is in range, otherwise nil.
    public subscript(index: Int) -> DataValue? {
        guard case let .array(elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// True only for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The string payload of `.string`, otherwise nil.
    public var stringValue: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    /// The integer payload of `.int`, otherwise nil (doubles are not narrowed).
    public var intValue: Int64? {
        if case let .int(value) = self { return value }
        return nil
    }

    /// The payload of `.double`, or of `.int` widened to Double, otherwise nil.
    public var doubleValue: Double? {
        switch self {
        case let .double(value): return value
        case let .int(value): return Double(value)
        default: return nil
        }
    }

    /// The payload of `.bool`, otherwise nil.
    public var boolValue: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    /// The elements of `.array`, otherwise nil.
    public var arrayValue: [DataValue]? {
        if case let .array(value) = self { return value }
        return nil
    }

    /// The ordered pairs of `.object`, otherwise nil.
    public var objectValue: [(String, DataValue)]? {
        if case let .object(value) = self { return value }
        return nil
    }
}
