/// Field-by-field differences between two data values, as a plan shows them:
/// "spec.replicas: 2 → 3", "data.key: added \"x\"", "labels.tier: removed (was \"db\")".
public enum DataDiff {
    /// Dot paths whose values differ, sorted by path (a server's or an encoder's key order
    /// is not the author's). Objects are compared key by key, anything else as a whole; the
    /// paths in `ignoring` (and what lies below them) are skipped. At most `limit` lines.
    public static func changes(from old: DataValue, to new: DataValue, ignoring: Set<String> = [], limit: Int = 30) -> [String] {
        var out: [String] = []
        walk(old, new, path: "", ignoring: ignoring, into: &out, limit: limit)
        return out.sorted()
    }

    private static func walk(_ a: DataValue?, _ b: DataValue?, path: String, ignoring: Set<String>, into out: inout [String], limit: Int) {
        guard out.count < limit, !ignoring.contains(path) else { return }
        // A change of the whole value (a scalar replaced) has no path of its own.
        let label = path.isEmpty ? "value" : path
        switch (a, b) {
        case (.object(let x)?, .object(let y)?):
            let keys = (x.map(\.0) + y.map(\.0)).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for k in keys {
                walk(x.first { $0.0 == k }?.1, y.first { $0.0 == k }?.1, path: path.isEmpty ? k : "\(path).\(k)",
                     ignoring: ignoring, into: &out, limit: limit)
            }
        case (nil, let v?): out.append("\(label): added \(short(v))")
        case (let v?, nil): out.append("\(label): removed (was \(short(v)))")
        case (let x?, let y?) where x != y: out.append("\(label): \(short(x)) → \(short(y))")
        default: break
        }
    }

    /// A value as one short line of JSON.
    public static func short(_ v: DataValue) -> String {
        let s = (try? JSON.encode(v)) ?? "?"
        return s.count > 60 ? String(s.prefix(57)) + "…" : s
    }
}
