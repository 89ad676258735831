import UnideskData

/// What a dry-run apply would change, field by field, ignoring what the server keeps for
/// itself (status, resourceVersion, managedFields, timestamps).
public enum ObjectDiff {
    static let volatile: Set<String> = [
        "status", "metadata.resourceVersion", "metadata.generation", "metadata.managedFields",
        "metadata.creationTimestamp", "metadata.uid", "metadata.selfLink",
        "metadata.annotations.deployment.kubernetes.io/revision",
    ]

    /// Dot paths whose values differ ("spec.replicas: 2 → 3", "data.key: added"), sorted.
    public static func changes(from old: DataValue, to new: DataValue, limit: Int = 30) -> [String] {
        var out: [String] = []
        walk(old, new, path: "", into: &out, limit: limit)
        return out.sorted()   // by path: the server's key order is not the recipe's
    }

    private static func walk(_ a: DataValue?, _ b: DataValue?, path: String, into out: inout [String], limit: Int) {
        guard out.count < limit, !volatile.contains(path) else { return }
        switch (a, b) {
        case (.object(let x)?, .object(let y)?):
            let keys = (x.map(\.0) + y.map(\.0)).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for k in keys {
                walk(x.first { $0.0 == k }?.1, y.first { $0.0 == k }?.1, path: path.isEmpty ? k : "\(path).\(k)", into: &out, limit: limit)
            }
        case (nil, let v?): out.append("\(path): added \(short(v))")
        case (let v?, nil): out.append("\(path): removed (was \(short(v)))")
        case (let x?, let y?) where x != y: out.append("\(path): \(short(x)) → \(short(y))")
        default: break
        }
    }

    static func short(_ v: DataValue) -> String {
        let s = (try? JSON.encode(v)) ?? "?"
        return s.count > 60 ? String(s.prefix(57)) + "…" : s
    }
}
