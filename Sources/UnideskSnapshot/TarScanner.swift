/// Reads a tar stream's headers as the bytes go by (to tar or from it), without buffering
/// file data: counts entries when taking a snapshot, and refuses, before tar sees them,
/// entries that would write outside the extraction directory when restoring.
///
/// Understands the GNU format unidesk writes (long names 'L'/'K', old sparse 'S' with
/// extension blocks) and, for archives from elsewhere, ustar prefixes and pax headers.
struct TarScanner {
    struct Violation: Error, CustomStringConvertible {
        let description: String
        /// The archive is damaged (bad header checksum, truncated), as opposed to unsafe.
        var corrupt = false
    }

    enum Policy {
        /// Only count (take: tar wrote it from a directory of ours).
        case count
        /// Refuse absolute names, `..`, writing through a symlink, hardlinks to outside.
        case confine
    }

    let policy: Policy
    private(set) var entries = 0
    private(set) var regularFiles = 0
    private(set) var finished = false
    /// Once finished: the archive's length up to the end of its two zero blocks.
    private(set) var end: Int?
    private var fed = 0

    private var block = [UInt8]()          // a partial 512-byte header block
    private var skip = 0                   // data bytes still to pass (incl. padding)
    private var collecting: (kind: UInt8, remaining: Int, padding: Int)?
    private var collected = [UInt8]()
    private var sparseExtensions = false   // GNU 'S' extension blocks follow the header…
    private var dataAfterExtensions = 0    // …and only then the entry's data
    private var pendingName: String?
    /// pax GNU.sparse.name: GNU tar uses it over `path`, whatever their order.
    private var pendingSparseName: String?
    private var pendingLink: String?
    private var pendingSize: Int?
    private var zeroBlocks = 0
    private var symlinks = Set<Substring>()
    private var seen = Set<String>()

    init(policy: Policy) {
        self.policy = policy
        block.reserveCapacity(512)
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(Violation) {
        var i = 0
        let n = bytes.count
        let base = fed
        defer { if !finished { fed = base + n } }
        while i < n {
            if finished { return }
            if skip > 0 {
                let step = min(skip, n - i)
                skip -= step
                i += step
                continue
            }
            if let c = collecting {
                let step = min(c.remaining, n - i)
                collected.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + step)]))
                i += step
                collecting!.remaining -= step
                if collecting!.remaining == 0 {
                    skip = c.padding
                    collecting = nil
                    try finishMeta(c.kind)
                }
                continue
            }
            if block.isEmpty && n - i >= 512 {
                // The usual case: the whole header is in this buffer, read where it lies.
                i += 512
                try header(UnsafeRawBufferPointer(rebasing: bytes[(i - 512)..<i]))
                if finished { end = base + i }
                continue
            }
            let step = min(512 - block.count, n - i)
            block.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + step)]))
            i += step
            if block.count == 512 {
                let whole = block
                block.removeAll(keepingCapacity: true)
                var failure: Violation?
                whole.withUnsafeBytes { h in
                    do throws(Violation) { try header(h) } catch { failure = error }
                }
                if let failure { throw failure }
                if finished { end = base + i }
            }
        }
    }

    /// After the last byte: the stream must have ended cleanly.
    func checkComplete() throws(Violation) {
        if finished || (zeroBlocks == 0 && block.isEmpty && skip == 0 && collecting == nil && entries > 0) { return }
        if entries == 0 && block.isEmpty { throw Violation(description: "the archive is empty", corrupt: true) }
        throw Violation(description: "the archive is truncated (it ends inside an entry)", corrupt: true)
    }

    private mutating func header(_ h: UnsafeRawBufferPointer) throws(Violation) {
        if sparseExtensions {
            sparseExtensions = h[504] != 0
            if !sparseExtensions { skip = dataAfterExtensions }
            return
        }
        if Self.isZero(h) {
            zeroBlocks += 1
            if zeroBlocks >= 2 { finished = true }
            return
        }
        if zeroBlocks > 0 { throw Violation(description: "a lone zero block inside the archive", corrupt: true) }
        try verifyChecksum(h)
        let type = h[156]
        let size: Int
        if let pendingSize { size = pendingSize } else { size = try Self.number(h, 124, 12) }
        let padded = (size + 511) / 512 * 512
        switch type {
        case UInt8(ascii: "L"), UInt8(ascii: "K"), UInt8(ascii: "x"), UInt8(ascii: "g"):
            guard size <= 1 << 20 else { throw Violation(description: "a metadata entry of \(size) bytes") }
            collecting = (type, size, padded - size)
            collected.removeAll(keepingCapacity: true)
            if size == 0 { collecting = nil; try finishMeta(type) }
            return
        default: break
        }
        // Names are only read where they are checked (or reported).
        var name = ""
        var link = ""
        if policy == .confine {
            name = pendingSparseName ?? pendingName ?? Self.string(h, 0, 100)
            // ustar's "ustar\0" magic (GNU's is "ustar  \0"): a name may have a prefix.
            let ustar = h[257..<263].elementsEqual("ustar\0".utf8)
            if pendingName == nil && pendingSparseName == nil && ustar {
                let prefix = Self.string(h, 345, 155)
                if !prefix.isEmpty { name = prefix + "/" + name }
            }
            link = pendingLink ?? Self.string(h, 157, 100)
        }
        pendingName = nil; pendingLink = nil; pendingSize = nil; pendingSparseName = nil
        entries += 1
        switch type {
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"): regularFiles += 1
        case UInt8(ascii: "S"):
            regularFiles += 1
            sparseExtensions = h[482] != 0
        case UInt8(ascii: "1"), UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "4"), UInt8(ascii: "5"), UInt8(ascii: "6"), UInt8(ascii: "V"):
            break
        default:
            if policy == .confine { throw Violation(description: "entry '\(name)' has an entry type unidesk does not restore (\(Self.typeName(type)))") }
        }
        if policy == .confine { try confine(name: name, type: type, link: link) }
        // Hardlinks, symlinks, devices and directories carry no data, whatever size says.
        let hasData = !(type >= UInt8(ascii: "1") && type <= UInt8(ascii: "6"))
        if sparseExtensions {
            dataAfterExtensions = padded   // the extension blocks come first
        } else {
            skip = hasData ? padded : 0
        }
    }

    private mutating func finishMeta(_ kind: UInt8) throws(Violation) {
        let data = collected
        switch kind {
        case UInt8(ascii: "L"): pendingName = Self.cString(data)
        case UInt8(ascii: "K"): pendingLink = Self.cString(data)
        case UInt8(ascii: "x"):
            for (k, v) in try Self.paxRecords(data) {
                switch k {
                case "path": pendingName = v
                case "linkpath": pendingLink = v
                case "size":
                    guard let s = Int(v), s >= 0 else { throw Violation(description: "a pax size that is not a number") }
                    pendingSize = s
                case "GNU.sparse.name":
                    pendingSparseName = v
                default: break
                }
            }
        case UInt8(ascii: "g"):
            // GNU tar applies a global path/linkpath to every entry that follows: unidesk
            // never writes one, and the names it checks would not be the names tar writes.
            if policy == .confine, try Self.paxRecords(data).contains(where: { ["path", "linkpath", "GNU.sparse.name"].contains($0.0) }) {
                throw Violation(description: "a global pax header renames the entries that follow")
            }
        default: break
        }
    }

    /// Names are relative, without `..`, and never below a symlink the archive created.
    private mutating func confine(name raw: String, type: UInt8, link: String) throws(Violation) {
        let name = try Self.relative(raw, what: "entry")
        if name.isEmpty { return }   // "./": the volume's root directory itself
        if !symlinks.isEmpty {
            let utf8 = name.utf8
            var at = utf8.startIndex
            while let slash = utf8[at...].firstIndex(of: UInt8(ascii: "/")) {
                let prefix = name[..<slash]
                if symlinks.contains(prefix) {
                    throw Violation(description: "entry '\(raw)' would be written through the symlink '\(prefix)'")
                }
                at = utf8.index(after: slash)
            }
        }
        if type == UInt8(ascii: "2") {
            symlinks.insert(Substring(name))
        } else if !symlinks.isEmpty {
            symlinks.remove(Substring(name))
        }
        if type == UInt8(ascii: "1") {
            let target = try Self.relative(link, what: "hardlink target of '\(raw)'")
            guard seen.contains(target) else {
                throw Violation(description: "hardlink '\(raw)' points at '\(link)', which is not an earlier entry of the archive")
            }
            // A hardlink to a symlink is that symlink under another name.
            if symlinks.contains(Substring(target)) { symlinks.insert(Substring(name)) }
        }
        seen.insert(name)
    }

    /// "./a//b/" → "a/b"; refuses absolute names and `..`.
    static func relative(_ raw: String, what: String) throws(Violation) -> String {
        if let plain = plainRelative(raw) { return plain }
        if raw.hasPrefix("/") { throw Violation(description: "\(what) '\(raw)' is an absolute path") }
        var parts: [Substring] = []
        for p in raw.split(separator: "/", omittingEmptySubsequences: true) {
            if p == "." { continue }
            if p == ".." { throw Violation(description: "\(what) '\(raw)' climbs out with '..'") }
            parts.append(p)
        }
        return parts.joined(separator: "/")
    }

    /// The name as tar writes it ("./a/b") when it is already in the form `relative` gives
    /// but for the leading "./"; nil when it needs `relative`'s work (absolute, "..", ".",
    /// empty components). The usual name costs one pass over its bytes.
    static func plainRelative(_ raw: String) -> String? {
        var rest = Substring(raw)
        while rest.utf8.starts(with: "./".utf8) { rest = rest.dropFirst(2) }
        if rest.isEmpty { return "" }
        var length = 0      // bytes of the current component so far
        var onlyDots = true
        for b in rest.utf8 {
            if b == UInt8(ascii: "/") {
                if length == 0 || (onlyDots && length <= 2) { return nil }
                length = 0
                onlyDots = true
            } else {
                length += 1
                if b != UInt8(ascii: ".") { onlyDots = false }
            }
        }
        if length == 0 || (onlyDots && length <= 2) { return nil }
        return String(rest)
    }

    static func isZero(_ h: UnsafeRawBufferPointer) -> Bool {
        var any: UInt8 = 0
        for b in h { any |= b }   // vectorizes; no early exit needed on 512 bytes
        return any == 0
    }

    private func verifyChecksum(_ h: UnsafeRawBufferPointer) throws(Violation) {
        // The checksum counts its own 8 bytes as spaces. A plain loop over all 512 bytes
        // vectorizes; one with a test per byte does not (it was 4 % of a take's CPU).
        var sum = 0
        for b in h { sum &+= Int(b) }
        for i in 148..<156 { sum &-= Int(h[i]) }
        sum += 8 * 32
        let stored = try? Self.number(h, 148, 8)
        guard stored == sum else {
            throw Violation(description: "a tar header has a bad checksum (the archive is corrupt) after \(entries) entries", corrupt: true)
        }
    }

    static func number(_ h: UnsafeRawBufferPointer, _ off: Int, _ len: Int) throws(Violation) -> Int {
        if h[off] & 0x80 != 0 {   // GNU base-256 for large values
            var v = 0
            for i in (off + 1)..<(off + len) {
                guard v < (Int.max >> 8) else { throw Violation(description: "a size field overflows", corrupt: true) }
                v = v << 8 | Int(h[i])
            }
            return v
        }
        var v = 0
        var digits = 0
        for i in off..<(off + len) {
            let c = h[i]
            if c == 0 || c == 32 { if digits > 0 { break } else { continue } }
            guard c >= 48 && c <= 55 else { throw Violation(description: "a numeric header field is not octal", corrupt: true) }
            v = v * 8 + Int(c - 48)
            digits += 1
        }
        return v
    }

    static func string(_ h: UnsafeRawBufferPointer, _ off: Int, _ len: Int) -> String {
        let slice = h[off..<(off + len)]
        let end = slice.firstIndex(of: 0) ?? slice.endIndex
        return String(decoding: UnsafeRawBufferPointer(rebasing: h[off..<end]), as: UTF8.self)
    }

    static func cString(_ d: [UInt8]) -> String {
        String(decoding: d.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The pax keys that name or size an entry; tar's per-entry times and xattrs are not
    /// read (with `--xattrs` every entry has a pax header of times).
    static let paxKeys: [[UInt8]] = ["path", "linkpath", "size", "GNU.sparse.name"].map { Array($0.utf8) }

    /// pax records: "<len> <key>=<value>\n"; those with one of `paxKeys`, as strings.
    static func paxRecords(_ d: [UInt8]) throws(Violation) -> [(String, String)] {
        var out: [(String, String)] = []
        var i = 0
        while i < d.count {
            var j = i
            var len = 0
            while j < d.count, d[j] >= 48, d[j] <= 57, len < 1 << 30 { len = len * 10 + Int(d[j] - 48); j += 1 }
            guard j > i, j < d.count, d[j] == 32, len > j - i, i + len <= d.count else {
                throw Violation(description: "a malformed pax header", corrupt: true)
            }
            let record = d[(j + 1)..<(i + len - 1)]
            if let eq = record.firstIndex(of: UInt8(ascii: "=")) {
                let key = record[record.startIndex..<eq]
                if paxKeys.contains(where: { $0.count == key.count && $0.elementsEqual(key) }) {
                    out.append((String(decoding: key, as: UTF8.self), String(decoding: record[(eq + 1)...], as: UTF8.self)))
                }
            }
            i += len
        }
        return out
    }

    static func typeName(_ t: UInt8) -> String {
        (t >= 32 && t < 127) ? "'\(Character(UnicodeScalar(t)))'" : "byte \(t)"
    }
}
