import Foundation
import UnideskData
import UnideskFiles

/// A plan written by `unidesk plan --out`: what the recipe read and what it would write,
/// for a reviewer (`unidesk show`) and for `unidesk apply`, which runs the recipe again and
/// stops where reality no longer matches. The file carries a digest of its own content, so
/// an edit by hand (or a truncated copy) is refused; it is not a signature against someone
/// who can write the file and recompute the digest (sign the artifact in CI for that).
public struct SavedPlan: Sendable {
    public static let format = "unidesk-plan"
    public static let formatVersion = 1

    public enum FileError: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String { if case .invalid(let m) = self { return m }; return "" }
    }

    /// A file the plan's recipe read (itself, its modules, fs.read, compose files), by its
    /// path relative to the recipe's directory.
    public struct RecipeFile: Sendable, Equatable {
        public let path: String
        public let digest: String
    }

    public var unideskVersion = UnideskVersion.string
    public var createdAt = ISO8601DateFormatter().string(from: Date())
    /// Salt of every digest in the file (reads, long arguments, files, secret vars).
    public var salt: [UInt8]
    public var recipe: String
    public var files: [RecipeFile]
    /// `--var` values; a value that holds a secret is kept as its salted digest.
    public var vars: [(String, String)]
    public var policy: DataValue
    public var exitCode: ExitCode
    public var offline: Bool
    public var calls: [PlanCall]
    /// The digest the file was written with (after `load`).
    public private(set) var digest: String?

    /// The digest of the recipe and every file it read: one value to compare at a glance.
    public var recipeDigest: String {
        Digest.sha256(salt + Array(files.map { "\($0.path) \($0.digest)\n" }.joined().utf8))
    }

    public var writes: [PlanCall] { calls.filter { $0.effect == .write } }

    // MARK: making one

    /// Whether apply can use this plan, and if not, why.
    public var notApplicable: String? {
        if exitCode != .ok { return "the plan run ended with \(exitCode.status) (exit \(exitCode.rawValue)): what a run would do after that is not in it; fix the recipe or the grants and plan again" }
        if offline { return "it was made with --offline: its reads were not performed, so there is nothing to compare the world with; plan without --offline" }
        return nil
    }

    static func policyJSON(_ p: Policy) -> DataValue {
        .object([
            ("allow", .array(p.allow.map { .string($0.description) })),
            ("deny", .array(p.deny.map { .string($0.description) })),
            ("env", .array(p.env.map { .string($0) })),
            ("secret_env", .array(p.secretEnv.map { .string($0) })),
        ])
    }

    /// A var's value as the plan keeps it: plain, or the salted digest of a value that holds
    /// a secret the run knows.
    static func varValue(_ v: String, redactor: Redactor, salt: [UInt8]) -> String {
        redactor.scrub(v) == v ? v : "<secret \(Digest.sha256(salt + Array(v.utf8)))>"
    }

    /// The digest of a recipe file as it is on disk now; nil when it cannot be read.
    static func fileDigest(_ dir: ConfinedDirectory, _ path: String, salt: [UInt8]) -> String? {
        guard let bytes = try? dir.read(path) else { return nil }
        return Digest.sha256(salt + bytes)
    }

    // MARK: the file

    public var json: DataValue {
        var f: [(String, DataValue)] = [
            ("format", .string(Self.format)),
            ("format_version", .int(Int64(Self.formatVersion))),
            ("unidesk_version", .string(unideskVersion)),
            ("created_at", .string(createdAt)),
            ("salt", .string(Digest.hex(salt))),
            ("recipe", .object([
                ("path", .string(recipe)),
                ("digest", .string(recipeDigest)),
                ("files", .array(files.map { .object([("path", .string($0.path)), ("digest", .string($0.digest))]) })),
            ])),
            ("vars", .object(vars.map { ($0.0, .string($0.1)) })),
            ("policy", policy),
            ("status", .string(exitCode.status)),
            ("exit_code", .int(Int64(exitCode.rawValue))),
            ("offline", .bool(offline)),
            ("calls", .array(calls.map(\.json))),
        ]
        let summary = PlanSummary(audit: calls.map(\.auditRecord), exitCode: exitCode).counts
        f.append(("summary", .object([
            ("create", .int(Int64(summary.create))), ("change", .int(Int64(summary.change))),
            ("replace", .int(Int64(summary.replace))), ("delete", .int(Int64(summary.delete))),
            ("unchanged", .int(Int64(summary.unchanged))), ("unverified", .int(Int64(summary.unverified))),
        ])))
        return .object(f)
    }

    static func canonicalDigest(_ d: DataValue) -> String {
        Digest.sha256(Array((d.canonicalJSON ?? "").utf8))
    }

    /// The file's text: the content, every secret the run knows masked, then its digest.
    public func text(scrubbing redactor: Redactor) throws -> (text: String, digest: String) {
        guard case .object(var f) = redactor.scrub(json) else { return ("", "") }
        let digest = Self.canonicalDigest(.object(f))
        f.append(("digest", .string(digest)))
        return (try JSON.encode(.object(f), options: .init(pretty: true, sortKeys: false)) + "\n", digest)
    }

    public static func load(path: String) throws(FileError) -> SavedPlan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalid("cannot read the plan file '\(path)': \(FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")")
        }
        let doc: DataValue
        do { doc = try JSON.decode(bytes: Array(data)) } catch {
            throw .invalid("'\(path)' is not a plan file: not JSON (\(error))")
        }
        guard case .object(var fields) = doc, doc["format"]?.stringValue == format else {
            throw .invalid("'\(path)' is not a plan file (no \"format\": \"\(format)\"); make one with unidesk plan RECIPE --out \(path)")
        }
        guard let version = doc["format_version"]?.intValue, version == formatVersion else {
            throw .invalid("'\(path)' is a plan of format version \(doc["format_version"]?.intValue.map(String.init) ?? "?"); this unidesk reads version \(formatVersion): plan again with this unidesk")
        }
        guard let i = fields.firstIndex(where: { $0.0 == "digest" }), let stated = fields[i].1.stringValue else {
            throw .invalid("'\(path)' has no digest: it was not written by unidesk plan --out, or it was cut short")
        }
        fields.remove(at: i)
        guard canonicalDigest(.object(fields)) == stated else {
            throw .invalid("'\(path)' was changed after unidesk wrote it (its content no longer matches its digest): a plan is applied only as it was reviewed; make a new one with unidesk plan --out")
        }
        func need(_ key: String) throws(FileError) -> DataValue {
            guard let v = doc[key] else { throw .invalid("'\(path)': \(key) is missing") }
            return v
        }
        guard let saltHex = doc["salt"]?.stringValue, let salt = hexBytes(saltHex),
              let recipe = doc["recipe"]?["path"]?.stringValue,
              let filesData = doc["recipe"]?["files"]?.arrayValue,
              let code = doc["exit_code"]?.intValue, let exitCode = ExitCode(rawValue: Int32(code)) else {
            throw .invalid("'\(path)': salt, recipe, or exit_code is missing or malformed")
        }
        var files: [RecipeFile] = []
        for f in filesData {
            guard let p = f["path"]?.stringValue, let d = f["digest"]?.stringValue else { throw .invalid("'\(path)': recipe.files holds an entry without path and digest") }
            files.append(RecipeFile(path: p, digest: d))
        }
        let vars = (try need("vars")).objectValue?.compactMap { k, v in v.stringValue.map { (k, $0) } } ?? []
        var calls: [PlanCall] = []
        for (n, c) in ((try need("calls")).arrayValue ?? []).enumerated() { calls.append(try PlanCall(json: c, index: n)) }
        var plan = SavedPlan(salt: salt, recipe: recipe, files: files, vars: vars, policy: try need("policy"),
                             exitCode: exitCode, offline: doc["offline"]?.boolValue ?? false, calls: calls)
        plan.unideskVersion = doc["unidesk_version"]?.stringValue ?? "?"
        plan.createdAt = doc["created_at"]?.stringValue ?? "?"
        plan.digest = stated
        return plan
    }

    static func hexBytes(_ s: String) -> [UInt8]? {
        let chars = Array(s.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let b = UInt8(String(decoding: chars[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(b)
        }
        return out
    }

    static func randomSalt() -> [UInt8] { (0..<16).map { _ in UInt8.random(in: 0...255) } }
}
